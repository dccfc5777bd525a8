/** A CodeMirror 6 editor for a student's algorithm module. */
import { javascript } from '@codemirror/lang-javascript';
import { EditorView, basicSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';

/**
 * `initial` comes back from the parent as the editor's own text (onChange → setCode → render),
 * a render or more behind the keys: replacing the document with such an echo threw away what
 * was typed since, whose change then echoed back in turn — under fast typing the two texts
 * swapped forever and froze the page. So the texts the editor reported and has not yet seen
 * come back are kept in order: `initial` equal to one of them is an echo (it and the older
 * ones are dropped, the document stays); any other `initial` was set from outside (Reset, a
 * scenario's code, window.weftLab.setCode) and replaces the document.
 */
export function CodeEditor({ initial, onChange }: { initial: string; onChange: (code: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const inFlight = useRef<string[]>([]);
  const applying = useRef(false);
  useEffect(() => {
    view.current = new EditorView({
      doc: initial,
      parent: host.current!,
      extensions: [
        basicSetup,
        javascript(),
        // The name belongs on the text box a screen reader lands in (CodeMirror's .cm-content, role textbox), not on a wrapper.
        EditorView.contentAttributes.of({ 'aria-label': 'Your algorithm (a JavaScript module)' }),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged || applying.current) return;
          const text = u.state.doc.toString();
          inFlight.current.push(text);
          onChange(text);
        }),
      ],
    });
    // Tests and power users set the code directly: window.weftLab.setCode(text).
    return () => view.current?.destroy();
  }, []);
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const echo = inFlight.current.indexOf(initial);
    if (echo >= 0) {
      inFlight.current.splice(0, echo + 1);
      return;
    }
    inFlight.current = [];
    if (v.state.doc.toString() === initial) return;
    applying.current = true;
    try {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: initial } });
    } finally {
      applying.current = false;
    }
  }, [initial]);
  // A named group around it (as the placeholder that stands in until CodeMirror loads: ui/lazy.tsx).
  return <div class="editor" ref={host} role="group" aria-label="Algorithm editor" />;
}
