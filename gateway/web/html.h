// The pages' HTML: text escaped for HTML, and the frame every page shares (header with
// the navigation, the language switch and sign-out, a skip link, one h1, the content).
#pragma once

#include <string>
#include <string_view>

#include "gateway/web/i18n.h"

namespace carebridge::gateway::web {

// `text` with &, <, >, " and ' escaped for HTML text and attribute values.
std::string escape(std::string_view text);

struct Frame {
  Lang lang = Lang::En;
  std::string title;      // the h1 and the document title
  std::string here;       // the page's path, for the language switch ("/upload")
  std::string user;       // signed in: the person's name ("" when signed out)
  std::string organization;
  bool admin = false;
  std::string csrf;       // for the sign-out form
};

// The whole document: the frame around `content` (already HTML).
std::string page(const Frame& frame, std::string_view content);

// The stylesheet and the small script every page loads (served by the gateway: no
// resource from another site, and the policy allows no inline style or script).
std::string_view stylesheet();
std::string_view script();

}  // namespace carebridge::gateway::web
