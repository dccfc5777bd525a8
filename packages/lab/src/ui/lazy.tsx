/**
 * A view whose code loads on demand (its own chunk: CodeMirror, d3, the exercises), so the
 * page's first run renders without it. Until it has loaded, a placeholder of the same role
 * and label stands in (aria-busy: tests wait for none to be left); the module loads once for
 * every instance. `whenVisible`: only once the placeholder comes near the viewport (the
 * editor, 500 kB, far below the fold on a laptop).
 */
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

interface LazyOptions {
  readonly as?: 'section' | 'div';
  readonly whenVisible?: boolean;
}

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>, label: string, { as = 'section', whenVisible = false }: LazyOptions = {}): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  return function Lazy(props: P) {
    const [View, setView] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState<string | null>(null);
    const placeholder = useRef<HTMLDivElement>(null);
    useEffect(() => {
      if (View !== null) return;
      const start = () => {
        loading ??= load().then((view) => (loaded = view));
        loading.then((view) => setView(() => view)).catch(() => setFailed(`The ${label.toLowerCase()} could not be loaded; reload the page.`));
      };
      if (!whenVisible || typeof IntersectionObserver === 'undefined') return start();
      const observer = new IntersectionObserver((entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        start();
      }, { rootMargin: '200px' });
      observer.observe(placeholder.current!);
      return () => observer.disconnect();
    }, []);
    if (View !== null) return <View {...props} />;
    const Tag = as;
    return (
      <Tag ref={placeholder} class={as === 'section' ? 'view' : 'editor'} role={as === 'div' ? 'group' : undefined} aria-label={label} aria-busy={whenVisible ? undefined : 'true'}>
        <p class={failed ? 'error' : 'empty'}>{failed ?? 'Loading\u2026'}</p>
      </Tag>
    );
  };
}
