// The career page's addresses and an iframe snippet to paste into a company's own site (?embed=1 drops the page's
// header). The origin is the dashboard's own: the career page is served by the same Twelve.
import { useState } from 'react';

export function embedSnippet(origin: string, agentName: string): string {
  const src = `${origin}/careers/${encodeURIComponent(agentName)}?embed=1`;
  return `<iframe src="${src}" title="Careers" style="width:100%;min-height:720px;border:0" loading="lazy"></iframe>`;
}

export function EmbedSnippet({ agentName }: { agentName: string }) {
  const origin = window.location.origin;
  const url = `${origin}/careers/${encodeURIComponent(agentName)}`;
  const snippet = embedSnippet(origin, agentName);
  const [copied, setCopied] = useState(false);
  return (
    <div className="hr-embed">
      <p>
        Public career page:{' '}
        <a href={url} target="_blank" rel="noreferrer">
          {url}
        </a>{' '}
        (open jobs only).
      </p>
      <label htmlFor="hr-embed-snippet">Embed it in your site</label>
      <textarea id="hr-embed-snippet" readOnly rows={3} value={snippet} className="hr-snippet" />
      <button
        type="button"
        className="btn btn-sm"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(snippet);
            setCopied(true);
          } catch {
            (document.getElementById('hr-embed-snippet') as HTMLTextAreaElement | null)?.select();
          }
        }}
      >
        {copied ? 'Copied' : 'Copy snippet'}
      </button>
      <span className="sr-only" aria-live="polite">
        {copied ? 'Snippet copied' : ''}
      </span>
    </div>
  );
}
