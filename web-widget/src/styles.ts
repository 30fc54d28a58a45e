// The widget's styles, applied inside its shadow root only. `:host { all: initial }` stops the page's inherited
// styles (font, colour, line height) from leaking in; nothing here can leak out. The accent colour comes from the
// host element's --tw-accent custom property. A reader whose system is dark (prefers-color-scheme) gets dark surfaces.
export const WIDGET_CSS = `
:host{all:initial}
*{box-sizing:border-box}
.tw{--a:var(--tw-accent,#0f6b5c);--ink:#17222b;--mut:#5d6b75;--line:#e3e7ea;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;flex-direction:column;align-items:flex-end;gap:12px}
button{font:inherit;cursor:pointer}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.launcher{position:relative;width:56px;height:56px;border-radius:50%;border:0;background:var(--a);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.22);display:grid;place-items:center}
.launcher:hover{filter:brightness(1.08)}
.launcher svg,.send svg{width:26px;height:26px;fill:currentColor}
.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#d93025;color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center}
.panel{width:380px;height:min(600px,calc(100vh - 110px));background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.22);display:flex;flex-direction:column;overflow:hidden}
.panel[hidden],[hidden]{display:none}
.head{background:var(--a);color:#fff;padding:14px 12px 14px 18px;display:flex;align-items:center;gap:8px}
.head div{flex:1;min-width:0}
.head h2{font-size:16px;margin:0;font-weight:650}
.head p{margin:2px 0 0;font-size:12.5px;opacity:.9}
.close{background:transparent;border:0;color:#fff;width:36px;height:36px;border-radius:8px;font-size:24px;line-height:1}
.close:hover{background:rgba(255,255,255,.15)}
.log{flex:1;overflow-y:auto;padding:16px 14px 8px;display:flex;flex-direction:column;gap:10px;background:#f6f7f8}
.msg{display:flex;flex-direction:column;max-width:85%;align-self:flex-start}
.msg.customer{align-self:flex-end;align-items:flex-end}
.who{font-size:12px;color:var(--mut);margin:0 0 3px 4px}
.bubble{background:#fff;border:1px solid var(--line);border-radius:14px 14px 14px 4px;padding:9px 12px;white-space:pre-wrap;overflow-wrap:anywhere}
.customer .bubble{background:var(--a);border-color:var(--a);color:#fff;border-radius:14px 14px 4px 14px}
.human .bubble{border-color:#c9d8d4;background:#eef6f3}
.pending .bubble{opacity:.65}
.failed .bubble{opacity:.65;border:1px dashed #d93025}
.meta{font-size:12px;color:var(--mut);margin:4px 4px 0}
.failed .meta{color:#b3261e}
.note{align-self:center;text-align:center;font-size:13px;color:var(--mut);background:#fff;border:1px solid var(--line);border-radius:10px;padding:8px 12px;max-width:92%}
.note.handoff{color:#0c4a3f;background:#e7f3ef;border-color:#c4e0d7}
.typing{align-self:flex-start;display:flex;gap:4px;padding:12px 14px;background:#fff;border:1px solid var(--line);border-radius:14px 14px 14px 4px}
.typing i{width:6px;height:6px;border-radius:50%;background:#9aa6ae;animation:b 1s infinite ease-in-out}
.typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}
@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}
.status{margin:0;padding:6px 14px;font-size:12.5px;color:#7a5a00;background:#fff7e0;border-top:1px solid #f1e2b5}
.status:empty{display:none}
.bar{display:flex;justify-content:center;padding:8px 12px 0;background:#fff;border-top:1px solid var(--line)}
.human-btn{background:transparent;border:1px solid var(--line);color:var(--ink);border-radius:999px;padding:5px 14px;font-size:13px}
.human-btn:hover{border-color:var(--a);color:var(--a)}
.bar{flex-wrap:wrap;gap:8px;align-items:center}.rate{display:flex;align-items:center;gap:6px;font-size:13px;color:var(--mut)}.rate-btn{background:transparent;border:1px solid var(--line);color:var(--ink);border-radius:999px;padding:3px 12px;font-size:13px}.rate-btn[aria-pressed=true]{background:var(--a);border-color:var(--a);color:#fff}
form{display:flex;align-items:flex-end;gap:8px;padding:10px 12px 12px;background:#fff}
textarea{flex:1;font:inherit;color:inherit;resize:none;border:1px solid #cfd6db;border-radius:10px;padding:9px 11px;max-height:120px;min-height:40px;outline:none}
textarea:focus{border-color:var(--a);box-shadow:0 0 0 3px color-mix(in srgb,var(--a) 18%,transparent)}
.send{width:40px;height:40px;flex:none;border:0;border-radius:10px;background:var(--a);color:#fff;display:grid;place-items:center}
.send svg{width:20px;height:20px}
button:focus-visible{outline:3px solid color-mix(in srgb,var(--a) 45%,#fff);outline-offset:2px}
.head button:focus-visible{outline-color:#fff}
@media (max-width:480px){.tw{right:12px;bottom:12px}.tw.open{inset:0}.tw.open .launcher{display:none}.panel{position:fixed;inset:0;width:100%;height:100%;border-radius:0}}
@media (prefers-reduced-motion:reduce){.typing i{animation:none}}
@media (prefers-color-scheme:dark){
.tw{--ink:#e6ecef;--mut:#9fadb6;--line:#34424c;color-scheme:dark}
.panel{background:#151c21;box-shadow:0 10px 40px rgba(0,0,0,.6)}
.log{background:#0f1519}
.bar,form{background:#151c21}
.bubble,.note,.typing{background:#1e272e}
.human .bubble{background:#15302a;border-color:#2c5247}
.note.handoff{color:#bfe5d9;background:#14302a;border-color:#2c5247}
.status{color:#f3d98a;background:#2e2611;border-top-color:#5a4a1c}
textarea{background:#0f1519;border-color:#3b4953}
.failed .meta{color:#ff8a80}
}
`;
