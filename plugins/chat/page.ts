/**
 * The chat page, served by the binary as it is (no build step): HTML, CSS
 * and the script (page_script.ts). The script writes model output with
 * textContent only, so a reply can never inject HTML.
 */
export { PAGE_SCRIPT } from "./page_script.ts";

/** A small page around `body` (trusted HTML: callers escape what they insert). */
export function htmlPage(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/app.css">${head}
</head>
<body>
${body}
</body>
</html>
`;
}

export const CHAT_PAGE = htmlPage(
  "disinto chat",
  `<header>
<h1>disinto chat</h1>
<span id="user" class="user"></span>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>
</header>
<main>
<div id="log" role="log" aria-live="polite" aria-busy="false" aria-label="Conversation"></div>
<p id="notice" role="alert"></p>
<form id="composer">
<label for="message">Message</label>
<textarea id="message" name="message" rows="3" required></textarea>
<div class="actions">
<button id="send" type="submit">Send</button>
<button id="stop" type="button" hidden>Stop</button>
</div>
</form>
<p id="usage" class="usage"></p>
</main>`,
  '\n<script src="/app.js" defer></script>',
);

export const PAGE_STYLE = `*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,sans-serif;color:#1b1b1b;background:#f6f6f4}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1rem;background:#24292f;color:#fff}
header h1{font-size:1.1rem;margin:0;flex:1}
header form{margin:0}
main{max-width:48rem;margin:0 auto;padding:1rem}
#log{display:flex;flex-direction:column;gap:.6rem;min-height:40vh}
.msg{padding:.5rem .75rem;border-radius:.5rem;background:#fff;border:1px solid #ddd;max-width:100%;overflow-wrap:anywhere}
.msg.user{background:#e8f0fe;align-self:flex-end}
.msg.system{background:#fff8e1;font-style:italic}
.who{display:block;font-size:.75rem;color:#555}
.body{margin:0;white-space:pre-wrap}
#notice:empty{display:none}
#notice{background:#fdecea;border:1px solid #f5c2c0;padding:.5rem .75rem;border-radius:.5rem}
#composer{display:flex;flex-direction:column;gap:.4rem;margin-top:1rem}
textarea{width:100%;font:inherit;padding:.5rem;border:1px solid #bbb;border-radius:.4rem}
.actions{display:flex;gap:.5rem}
button{font:inherit;padding:.45rem 1rem;border-radius:.4rem;border:1px solid #888;background:#fff;cursor:pointer}
button[disabled]{opacity:.5;cursor:default}
.usage{font-size:.8rem;color:#555}
@media (max-width:30rem){main{padding:.5rem}.actions button{flex:1}}
`;
