// The pages' words in English and Spanish. The browser's Accept-Language chooses; a link
// on every page switches (?lang=es), remembered in the cb_lang cookie.
#pragma once

#include <string>
#include <string_view>

namespace carebridge::gateway::web {

enum class Lang { En, Es };

// The page text for `key` in `lang` (the key itself when the catalog has none).
std::string_view text(Lang lang, std::string_view key);
// The language a request asks for: ?lang=, else the cb_lang cookie, else Accept-Language.
Lang choose_lang(std::string_view query_lang, std::string_view cookie_lang, std::string_view accept_language);
inline const char* code(Lang lang) { return lang == Lang::Es ? "es" : "en"; }
// Why a row or a field was not taken, as the mapping engine says it (in English), in
// `lang`: its usual phrases are translated, the values it quotes are kept as written.
std::string reason_in(Lang lang, std::string_view reason);
// A resource type in plain words, counted: "3 people", "1 visit" ("3 personas").
std::string count_of(Lang lang, std::string_view resource_type, size_t n);

}  // namespace carebridge::gateway::web
