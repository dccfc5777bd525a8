import { render } from 'preact';
import { App } from './app.js';
import { engineWorker } from './workers.js';
import './style.css';

engineWorker(); // the engine's module loads while the page renders, not after
const root = document.getElementById('app')!;
root.textContent = ''; // the loading message
render(<App />, root);
