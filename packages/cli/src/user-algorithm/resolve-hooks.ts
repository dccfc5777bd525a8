/**
 * Node module-customization hooks (registered by ./load.ts with `module.register`, run in
 * Node's loader thread): a user's algorithm module imports `@weft/collectives` wherever the
 * file lives, and gets the CLI's own copy — the one the CLI checks and runs schedules with.
 */
interface ResolveContext {
  readonly parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

/** Package name → the URL the CLI resolved it to. */
let redirects = new Map<string, string>();

export function initialize(data: { readonly redirects: readonly (readonly [string, string])[] }): void {
  redirects = new Map(data.redirects);
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve) {
  const url = redirects.get(specifier);
  if (url !== undefined) return { url, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}
