/** URL of the CLI entry module, set by main.ts: batch workers load it to start their loop. */
let entryUrl: URL | undefined;

export function setCliEntryUrl(url: URL): void {
  entryUrl = url;
}

export function cliEntryUrl(): URL {
  if (!entryUrl) throw new Error('The CLI entry URL is not set.');
  return entryUrl;
}
