import { render } from 'preact';
import { App } from './app.js';
import './style.css';

const root = document.getElementById('app')!;
root.textContent = ''; // the loading message
render(<App />, root);
