// Text for a voice: no Markdown, no URLs, times as people say them ("3 pm", "9:30 am", "noon"), one line, short.
// The agent's replies are written for chat; the phone reads them aloud.

/** Longest spoken reply (characters): longer text is cut at the last sentence end before it. */
export const MAX_SPOKEN_CHARS = 600;

function spokenTime(h: number, m: number, suffix?: string): string {
  if (suffix) {
    const half = suffix.toLowerCase().startsWith('p') ? 'pm' : 'am';
    return m === 0 ? `${h} ${half}` : `${h}:${String(m).padStart(2, '0')} ${half}`;
  }
  if (h === 12 && m === 0) return 'noon';
  if ((h === 0 || h === 24) && m === 0) return 'midnight';
  const half = h >= 12 && h < 24 ? 'pm' : 'am';
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return m === 0 ? `${h12} ${half}` : `${h12}:${String(m).padStart(2, '0')} ${half}`;
}

export function speakable(text: string): string {
  let s = text;
  s = s.replace(/```[\s\S]*?```/g, ' '); // code blocks are not read aloud
  s = s.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1'); // images: their alt text
  s = s.replace(/\[([^\]]+)\]\((?:[^)]*)\)/g, '$1'); // links: their text
  s = s.replace(/<https?:\/\/[^>\s]+>/gi, 'the link we sent');
  s = s.replace(/\bhttps?:\/\/[^\s)]*[^\s).,!?;:'"]/gi, 'the link we sent');
  s = s.replace(/\bwww\.[^\s)]*[^\s).,!?;:'"]/gi, 'the link we sent');
  s = s.replace(/<[^>]+>/g, ' '); // HTML tags
  s = s.replace(/^\s{0,3}#{1,6}\s+/gm, ''); // headings
  s = s.replace(/^\s*>\s?/gm, ''); // quotes
  s = s.replace(
    /^\s*(?:[-*+•]|\d+[.)])\s+(.*)$/gm,
    (_m, item: string) => `${item.replace(/[.;:,]?\s*$/, '')}.`,
  );
  s = s.replace(/^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$/gm, ' '); // table rules
  s = s.replace(/\|/g, ', ');
  s = s.replace(/(\*\*|__)(.+?)\1/g, '$2');
  s = s.replace(/(^|[\s(])[*_]([^*_\n]+)[*_](?=[\s).,!?;:]|$)/g, '$1$2');
  s = s.replace(/`([^`]*)`/g, '$1');
  s = s.replace(/[*_~#`]+/g, ' ');
  // Times: 15:00 → 3 pm, 09:30 → 9:30 am, 12:00 → noon, 3:30pm → 3:30 pm. Dates and ratios with more digits stay.
  s = s.replace(
    /(?<![\d:])([01]?\d|2[0-4]):([0-5]\d)(?::[0-5]\d)?(?:\s*([aApP])\.?[mM](?![a-zA-Z]))?(?![\d:])/g,
    (_m, h: string, m: string, ap?: string) => spokenTime(Number(h), Number(m), ap),
  );
  s = s.replace(/\b(1[0-2]|[1-9])\s*([aApP])\.?[mM]\b/g, (_m, h: string, ap: string) =>
    spokenTime(Number(h), 0, ap),
  );
  s = s
    .replace(/\s*\n+\s*/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .replace(/\s+([.,!?;:])/g, '$1');
  s = s.replace(/([.!?])\.+/g, '$1').trim();
  if (s.length > MAX_SPOKEN_CHARS) {
    const cut = s.slice(0, MAX_SPOKEN_CHARS);
    const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('! '));
    s = end > 0 ? cut.slice(0, end + 1) : `${cut.slice(0, cut.lastIndexOf(' ')).trim()}…`;
  }
  return s;
}
