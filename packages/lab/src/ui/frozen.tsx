/**
 * Renders its children again only when one of `keys` changes (by identity). The timeline
 * re-renders the page every animation frame; views that do not depend on the current time
 * sit in a Frozen and cost nothing per frame.
 */
import { Component, type ComponentChildren } from 'preact';

export class Frozen extends Component<{ keys: readonly unknown[]; children: ComponentChildren }> {
  override shouldComponentUpdate(next: { keys: readonly unknown[] }): boolean {
    return next.keys.length !== this.props.keys.length || next.keys.some((key, i) => key !== this.props.keys[i]);
  }

  override render() {
    return this.props.children;
  }
}
