/** A CodeMirror 6 editor for a student's algorithm module. */
import { javascript } from '@codemirror/lang-javascript';
import { EditorView, basicSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';

export function CodeEditor({ initial, onChange }: { initial: string; onChange: (code: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  useEffect(() => {
    view.current = new EditorView({
      doc: initial,
      parent: host.current!,
      extensions: [basicSetup, javascript(), EditorView.updateListener.of((u) => u.docChanged && onChange(u.state.doc.toString()))],
    });
    // Tests and power users set the code directly: window.weftLab.setCode(text).
    return () => view.current?.destroy();
  }, []);
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== initial) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: initial } });
  }, [initial]);
  return <div class="editor" ref={host} aria-label="Algorithm editor" />;
}
