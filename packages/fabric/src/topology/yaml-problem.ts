/**
 * One line for a YAML parse problem (the `yaml` package's YAMLError, parsed with prettyErrors off):
 * its message and where it is, as "line L, column C" counted from the text. With prettyErrors on
 * the message's first line ends "at line L, column C:" before a code frame, and a first-line cut
 * left a bare colon; with it off there was no position at all.
 */
export function yamlProblemLine(problem: { readonly message: string; readonly pos?: readonly [number, number] }, text: string): string {
  const head = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '').replace(/:\s*$/, '').trim();
  if (problem.pos === undefined) return head;
  const before = text.slice(0, problem.pos[0]);
  const line = before.split('\n').length;
  const column = problem.pos[0] - before.lastIndexOf('\n');
  return `${head} (line ${line}, column ${column})`;
}
