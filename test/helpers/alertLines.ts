/** Alerts as JSON lines, without the object generation (the CLI reads files, which have none). */
export function alertLines(jsonl: string): string[] {
  return jsonl
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const alert = JSON.parse(line);
      delete alert.source.generation;
      return JSON.stringify(alert);
    });
}
