// What the engine reads from an email: the customer's new words only. Quoted history (an attribution line such as
// "On … wrote:", lines quoted with ">", Outlook's "-----Original Message-----" or "From:/Sent:/To:/Subject:" block)
// and signatures (the RFC 3676 §4.3 "-- " delimiter, "Sent from my iPhone" and friends) are removed. The full text
// stays in the recorded payload for people (PROTOCOLS §3.2: strip quoted history yourself when no provider does).
import { lazy } from '../../lazy.ts';

const htmlToText = lazy<typeof import('html-to-text')>('html-to-text');

/** Attribution lines that introduce a quote, in the languages mail clients most often produce. */
const ATTRIBUTION = [
  /^on\b.{4,400}\bwrote:?$/i, // Gmail, Apple Mail, Thunderbird (English)
  /^am\b.{4,400}\bschrieb\b.{0,200}:$/i, // German
  /^le\b.{4,400}\ba écrit ?:$/i, // French
  /^el\b.{4,400}\bescribió:?$/i, // Spanish
  /^op\b.{4,400}\bschreef\b.{0,200}:$/i, // Dutch
  /^il giorno\b.{4,400}\bha scritto:?$/i, // Italian
];

/** Separators after which everything is the previous message (Outlook and friends, several languages). */
const ORIGINAL_MESSAGE =
  /^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht|messaggio originale)\s*-{2,}$/i;

/** Signatures that mobile clients append, which stand in for the "-- " delimiter. */
const MOBILE_SIGNATURE =
  /^(sent from my [\w -]{2,40}|sent from (outlook|mail|yahoo mail|gmail|proton mail)( for [\w ]{2,20})?|get outlook for (ios|android)|sent via [\w ]{2,30})\.?$/i;

/** The RFC 3676 §4.3 signature delimiter is "-- " (dash dash space); many clients drop the space. */
const SIGNATURE_DELIMITER = /^-- ?$/;

/** A forward: what follows is what the customer wants read, so it is kept whole. */
const FORWARD =
  /^(-{3,}\s*(forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{3,}|begin forwarded message:)$/i;

const HEADER_FROM = /^\*?(from|von|de|van|da):\*?\s+\S/i;
const HEADER_OTHER =
  /^\*?(sent|date|to|subject|gesendet|an|betreff|envoyé|objet|à|enviado|para|asunto):\*?\s/i;
/** Outlook's rule before its reply header: underscores in plain text, an <hr> (dashes) from HTML. */
const RULE = /^(_{10,}|-{10,})$/;

const isQuoted = (line: string) => /^\s*>/.test(line);

/** An Outlook reply header: "From: …" followed within a few lines by Sent/Date/To/Subject lines. */
function isOutlookHeader(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i]!.trim())) return false;
  let others = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 6); j++)
    if (HEADER_OTHER.test(lines[j]!.trim())) others++;
  return others >= 2;
}

/** Gmail wraps long attribution lines: try the line alone, then joined with the next one or two. */
function attributionAt(lines: string[], i: number): number {
  for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
    const joined = lines
      .slice(i, i + span)
      .map((l) => l.trim())
      .join(' ');
    if (joined.length > 600) break;
    if (ATTRIBUTION.some((re) => re.test(joined))) return span;
  }
  return 0;
}

/** The customer's new text in a plain-text email body. */
export function stripQuotedText(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (FORWARD.test(trimmed)) {
      kept.push(...lines.slice(i).map((l) => l.trimEnd()));
      break;
    }
    if (ORIGINAL_MESSAGE.test(trimmed) || isOutlookHeader(lines, i)) break;
    if (SIGNATURE_DELIMITER.test(line.trimEnd()) || MOBILE_SIGNATURE.test(trimmed)) break;
    if (RULE.test(trimmed)) {
      let j = i + 1;
      while (j < lines.length && lines[j]!.trim() === '') j++;
      if (j < lines.length && isOutlookHeader(lines, j)) break;
    }
    const span = attributionAt(lines, i);
    if (span) {
      // Top-posting quotes what follows with ">"; drop the attribution and keep any inline answers below it.
      // Without ">" markers what follows the attribution is the old message itself: stop there.
      const next = lines.slice(i + span).find((l) => l.trim() !== '');
      if (next === undefined || !isQuoted(next)) break;
      i += span - 1;
      continue;
    }
    if (isQuoted(line)) continue;
    kept.push(line.trimEnd());
  }
  return tidy(kept.join('\n'));
}

/** Trims, and collapses runs of blank lines left where quotes were removed. */
export function tidy(text: string): string {
  return text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * HTML bodies as plain text, safely: no scripts, styles, images or link targets, and no signature Gmail marks as
 * one. Block quotes become ">" lines and Outlook's reply header stays text, so the plain-text rules above apply.
 */
export function emailHtmlToText(html: string): string {
  return htmlToText().convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'head', format: 'skip' },
      { selector: 'div.gmail_signature', format: 'skip' },
      { selector: 'blockquote', options: { trimEmptyLines: true } },
    ],
  });
}
