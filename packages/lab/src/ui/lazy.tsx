/**
 * A view whose code loads on demand (its own chunk: CodeMirror, d3, the exercises), so the
 * page's first run renders without them. Until it has loaded, a placeholder of the same role
 * and label stands in; the module loads once for every instance.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>, label: string, as: 'section' | 'div' = 'section'): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  return function Lazy(props: P) {
    const [View, setView] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState<string | null>(null);
    useEffect(() => {
      if (View !== null) return;
      loading ??= load().then((view) => (loaded = view));
      loading.then((view) => setView(() => view)).catch(() => setFailed(`The ${label.toLowerCase()} view could not be loaded; reload the page.`));
    }, []);
    if (View !== null) return <View {...props} />;
    const Tag = as;
    return <Tag class={as === 'section' ? 'view' : 'editor'} aria-label={label} aria-busy="true"><p class={failed ? 'error' : 'empty'}>{failed ?? 'Loading\u2026'}</p></Tag>;
  };
}
