#include "gateway/web/html.h"

#include "fhir/io/html_escape.h"

namespace carebridge::gateway::web {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  fhir::io::append_html_escaped(out, text);
  return out;
}

namespace {

std::string navigation(const Frame& f) {
  auto t = [&](std::string_view key) { return std::string(text(f.lang, key)); };
  std::string out = R"(<nav aria-label="Carebridge"><ul>)";
  out += R"(<li><a href="/">)" + t("home") + "</a></li>";
  if (!f.user.empty()) {
    out += R"(<li><a href="/upload">)" + t("upload") + "</a></li>";
    out += R"(<li><a href="/forms">)" + t("forms") + "</a></li>";
    out += R"(<li><a href="/referrals">)" + t("referrals") + "</a></li>";
    if (f.admin) out += R"(<li><a href="/subscriptions">)" + t("subscriptions") + "</a></li>";
    if (f.admin) out += R"(<li><a href="/users">)" + t("users") + "</a></li>";
  }
  Lang other = f.lang == Lang::Es ? Lang::En : Lang::Es;
  out += R"(<li><a href=")" + escape(f.here) + "?lang=" + code(other) + R"(" lang=")" + code(other) + R"(" hreflang=")" +
         code(other) + R"(">)" + t("switch") + "</a></li></ul></nav>";
  return out;
}

std::string account(const Frame& f) {
  auto t = [&](std::string_view key) { return std::string(text(f.lang, key)); };
  if (f.user.empty()) return R"(<p class="account"><a href="/signin">)" + t("signin") + "</a></p>";
  return R"(<form class="account" method="post" action="/signout"><p>)" + t("signed-in-as") + " <strong>" +
         escape(f.user) + "</strong> " + t("of") + " " + escape(f.organization) +
         R"(</p><input type="hidden" name="csrf" value=")" + escape(f.csrf) + R"("><button type="submit">)" +
         t("signout") + "</button></form>";
}

}  // namespace

std::string page(const Frame& f, std::string_view content) {
  std::string out = R"(<!DOCTYPE html>
<html lang=")" + std::string(code(f.lang)) + R"("><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)" + escape(f.title) + (f.title == "Carebridge" ? "" : " — Carebridge") + R"(</title>
<link rel="stylesheet" href="/web.css"><script src="/web.js" defer></script></head>
<body><a class="skip" href="#main">)" + std::string(text(f.lang, "skip")) + R"(</a>
<header>)" + navigation(f) + account(f) + R"(</header>
<main id="main" tabindex="-1"><h1>)" + escape(f.title) + "</h1>\n";
  out += content;
  out += "</main></body></html>\n";
  return out;
}

std::string_view stylesheet() {
  return R"(*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1b1f24;background:#fff;line-height:1.5;font-size:1.05rem}
header{background:#0b3d66;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem}
header a{color:#fff}header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
header .account{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:0}header .account p{margin:0}
main{max-width:52rem;margin:0 auto;padding:1rem}
h1{font-size:1.7rem;line-height:1.25}h2{font-size:1.3rem}
a{color:#0a4f8f}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f5b400;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;color:#0a4f8f;padding:.5rem}.skip:focus{left:.5rem}
label{display:block;font-weight:600;margin-top:1rem}
.help{display:block;color:#4a5560;font-size:.95rem;margin:.1rem 0 .3rem}
input[type=text],input[type=password],input[type=date],input[type=email],input[type=tel],input[type=number],select,textarea{font:inherit;width:100%;max-width:30rem;padding:.45rem;border:2px solid #5a6570;border-radius:4px;background:#fff;color:#1b1f24}
input[type=file]{font:inherit;max-width:100%}
button{font:inherit;font-weight:600;background:#0b5e2e;color:#fff;border:2px solid #0b5e2e;border-radius:4px;padding:.45rem 1rem;margin-top:1rem;cursor:pointer}
button.secondary{background:#fff;color:#0b3d66;border-color:#0b3d66}
header button{margin:0;background:#fff;color:#0b3d66;border-color:#fff;padding:.2rem .7rem}
.error{color:#a3161f;font-weight:600;margin:.2rem 0}
[aria-invalid=true]{border-color:#a3161f}
.summary{border:3px solid #a3161f;padding:.5rem 1rem;margin:1rem 0}
.notice{border-left:6px solid #0b5e2e;background:#eef7f1;padding:.5rem 1rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #8a949e;padding:.4rem;text-align:left;vertical-align:top}
th{background:#e8edf2}
.actions form{display:inline-block;margin:0 .5rem .5rem 0}.actions label{margin-top:.2rem;font-weight:400}
.actions button{margin-top:.3rem}
.req{color:#a3161f}
@media (max-width:40rem){table,thead,tbody,tr,th,td{display:block}thead{position:absolute;left:-999px}td{border:none;border-bottom:1px solid #c5ccd3}tr{border:1px solid #8a949e;margin-bottom:.7rem}td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
@media print{header,.no-print,.skip{display:none}main{max-width:none}}
)";
}

std::string_view script() {
  // Only improvements: every page works without it. A print button where a receipt asks for one.
  return R"((function(){document.querySelectorAll('[data-print]').forEach(function(p){var b=document.createElement('button');b.type='button';b.className='secondary no-print';b.textContent=p.getAttribute('data-print');b.addEventListener('click',function(){window.print();});p.appendChild(b);});})();
)";
}

}  // namespace carebridge::gateway::web
