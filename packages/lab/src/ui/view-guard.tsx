/**
 * One view's failure stays that view's: if drawing it throws (a bug, or a run larger than it
 * was written for), a sentence takes its place and the form and the other views keep working.
 * Without it one throw unmounted the whole page, leaving "Simulating…" and no message.
 * `resetKey`: the data the view draws; new data (another run or algorithm) tries again.
 */
import { Component, type ComponentChildren } from 'preact';

interface Props {
  readonly label: string;
  readonly resetKey: unknown;
  readonly children: ComponentChildren;
}

export class ViewGuard extends Component<Props, { failure: { message: string; key: unknown } | null }> {
  override state = { failure: null as { message: string; key: unknown } | null };

  override componentDidCatch(error: unknown): void {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    this.setState({ failure: { message, key: this.props.resetKey } });
  }

  override render() {
    const { failure } = this.state;
    if (failure === null || failure.key !== this.props.resetKey) return this.props.children;
    return (
      <section class="view" aria-label={this.props.label}>
        <h2>{this.props.label}</h2>
        <p class="error" data-testid="view-failed">This view could not be drawn for this run ({failure.message}); the form and the other views still work.</p>
      </section>
    );
  }
}
