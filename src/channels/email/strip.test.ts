// Quoted history and signatures are stripped from real-world-shaped replies (Gmail, Outlook, Apple Mail, others) before the engine reads them.
import { describe, expect, it } from 'vitest';
import { emailHtmlToText, stripQuotedText } from './strip.ts';

const US = 'Northwind Support <support@northwind.example>';

describe('stripQuotedText', () => {
  it('Gmail: top-posted reply with a wrapped attribution line and ">" quotes', () => {
    const body = `Thanks! And what about Sundays?\r\n\r\nOn Mon, 3 Mar 2025 at 10:02, Northwind Support <support@northwind.example>\r\nwrote:\r\n\r\n> Our shop at 12 Harbour Street is open Monday to Friday 9:00–18:00 and\r\n> Saturday 10:00–16:00.\r\n>\r\n> --\r\n> Northwind Cycles\r\n`;
    expect(stripQuotedText(body)).toBe('Thanks! And what about Sundays?');
  });

  it('Gmail HTML-only: the gmail_quote block becomes quoted text and goes', () => {
    const html = `<div dir="ltr">Thanks! And what about <b>Sundays</b>?<div><br></div><div>Dan</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 3 Mar 2025 at 10:02, Northwind Support &lt;<a href="mailto:support@northwind.example">support@northwind.example</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div>Our shop is open Monday to Friday.</div></blockquote></div>`;
    expect(stripQuotedText(emailHtmlToText(html))).toBe('Thanks! And what about Sundays?\n\nDan');
  });

  it('Outlook (new): underscore rule and a From/Sent/To/Subject block', () => {
    const body = `Hello,\n\nCan I return a helmet I bought online?\n\nKind regards,\nBob\n\n________________________________\nFrom: ${US}\nSent: Monday, March 3, 2025 10:02 AM\nTo: Bob Jones <bob@contoso.com>\nSubject: Re: Returns [#e_1]\n\nYou can return unused items within 30 days.\n`;
    expect(stripQuotedText(body)).toBe(
      'Hello,\n\nCan I return a helmet I bought online?\n\nKind regards,\nBob',
    );
  });

  it('Outlook (classic): "-----Original Message-----"', () => {
    const body = `Can I return a helmet?\n\n-----Original Message-----\nFrom: Northwind Support [mailto:support@northwind.example] \nSent: 03 March 2025 10:02\nTo: Bob\nSubject: RE: Returns\n\nYou can return unused items within 30 days.`;
    expect(stripQuotedText(body)).toBe('Can I return a helmet?');
  });

  it('Outlook HTML: the bold header block after the rule', () => {
    const html = `<html><head><style>p{margin:0}</style></head><body><div style="font-family:Calibri">Can I return a helmet I bought online?</div><div>Kind regards,<br>Bob</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Northwind Support &lt;support@northwind.example&gt;<br><b>Sent:</b> Monday, March 3, 2025 10:02 AM<br><b>To:</b> Bob Jones &lt;bob@contoso.com&gt;<br><b>Subject:</b> Re: Returns</font><div>&nbsp;</div></div><div>You can return unused items within 30 days.</div></body></html>`;
    expect(stripQuotedText(emailHtmlToText(html))).toBe(
      'Can I return a helmet I bought online?\nKind regards,\nBob',
    );
  });

  it('Apple Mail on iPhone: "Sent from my iPhone" and a quoted attribution', () => {
    const body = `Do you do Cycle to Work?\n\nSent from my iPhone\n\n> On 3 Mar 2025, at 10:02, ${US} wrote:\n> \n> Our shop is open Monday to Friday.\n`;
    expect(stripQuotedText(body)).toBe('Do you do Cycle to Work?');
  });

  it('Apple Mail on a Mac: the quote is all ">" lines, the sign-off stays', () => {
    const body = `Do you hire e-bikes?\n\nBest,\nCarol\n\n> On 3 Mar 2025, at 10:02, ${US} wrote:\n> \n> Our shop is open Monday to Friday.\n> \n`;
    expect(stripQuotedText(body)).toBe('Do you hire e-bikes?\n\nBest,\nCarol');
  });

  it('Apple Mail HTML: blockquote type=cite', () => {
    const html = `<html><body dir="auto">Do you hire e-bikes?<br><br><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br><blockquote type="cite">On 3 Mar 2025, at 10:02, Northwind Support &lt;support@northwind.example&gt; wrote:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">Our shop is open.</div></blockquote></body></html>`;
    expect(stripQuotedText(emailHtmlToText(html))).toBe('Do you hire e-bikes?');
  });

  it('keeps inline answers written between quoted lines', () => {
    const body = `On Mon, 3 Mar 2025 at 10:02, ${US} wrote:\n> Which model do you have?\nThe Trek FX 3, 2022.\n> And the frame size?\nMedium.\n`;
    expect(stripQuotedText(body)).toBe('The Trek FX 3, 2022.\nMedium.');
  });

  it('stops at an attribution followed by an unquoted old message', () => {
    expect(
      stripQuotedText(`Thanks\n\nOn 03/03/2025 10:02, Northwind Support wrote:\nOur shop is open...`),
    ).toBe('Thanks');
  });

  it('German, French and Spanish attributions', () => {
    expect(
      stripQuotedText(`Danke!\n\nAm Mo., 3. März 2025 um 10:02 Uhr schrieb ${US}:\n> Unser Laden ist offen.`),
    ).toBe('Danke!');
    expect(stripQuotedText(`Merci !\n\nLe lun. 3 mars 2025 à 10:02, ${US} a écrit :\n> Ouvert.`)).toBe(
      'Merci !',
    );
    expect(stripQuotedText(`¡Gracias!\n\nEl lun, 3 mar 2025 a las 10:02, ${US} escribió:\n> Abierto.`)).toBe(
      '¡Gracias!',
    );
  });

  it('signatures: the RFC 3676 "-- " delimiter, a bare "--", and mobile footers', () => {
    expect(stripQuotedText('Is my order shipped?\n\n-- \nEve Adams\nACME Ltd | +44 20 7946 0000')).toBe(
      'Is my order shipped?',
    );
    expect(stripQuotedText('Is my order shipped?\n--\nEve')).toBe('Is my order shipped?');
    expect(stripQuotedText('Is my order shipped?\n\nGet Outlook for iOS')).toBe('Is my order shipped?');
    expect(stripQuotedText('Is my order shipped?\n\nSent from my Galaxy')).toBe('Is my order shipped?');
  });

  it('keeps a forwarded message whole: it is what the customer wants read', () => {
    const body = `Can you help with this order?\n\n---------- Forwarded message ---------\nFrom: Shop <orders@northwind.example>\nDate: Mon, 3 Mar 2025 at 10:02\nSubject: Your order\nTo: <dan@example.com>\n\nYour order 1234 has shipped.`;
    expect(stripQuotedText(body)).toBe(body);
  });

  it('does not cut at a customer line that merely starts with "From:" or dashes', () => {
    const body = 'From: my home address to yours, how much is delivery?\n---\nThanks';
    expect(stripQuotedText(body)).toBe(body);
  });

  it('drops scripts, styles, images and link targets from HTML', () => {
    const html = `<style>.x{}</style><script>alert(1)</script><p>See <a href="https://evil.example">this</a> <img src="cid:logo"></p>`;
    expect(emailHtmlToText(html)).toBe('See this');
  });
});
