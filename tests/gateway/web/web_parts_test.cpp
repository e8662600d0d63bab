// The parts of the pages that need no server: passwords (scrypt, lockout), the forms a
// browser sends (urlencoded and multipart), the language a request asks for, cookies.
#include <catch2/catch.hpp>

#include "gateway/security/users.h"
#include "gateway/store/sqlite_store.h"
#include "gateway/web/form_data.h"
#include "gateway/web/html.h"
#include "gateway/web/i18n.h"
#include "gateway/web/session.h"
#include "support/test_support.h"

using namespace carebridge::gateway;

TEST_CASE("users: a password is checked against its scrypt hash, five failures lock the account", "[gateway][web]") {
  auto dir = carebridge::testing::temp_dir("web-users");
  security::UserRegistry users((dir / "users.db").string());
  REQUIRE(users.add({"ana", "org-pantry", false, false, 0}, "correct horse battery").ok());
  CHECK_FALSE(users.add({"ana", "org-pantry", false, false, 0}, "another long password").ok());  // taken
  CHECK_FALSE(users.add({"bo", "org-pantry", false, false, 0}, "short").ok());
  CHECK_FALSE(users.add({"bad name", "org-pantry", false, false, 0}, "correct horse battery").ok());
  int64_t now = 1'000'000;
  auto right = users.verify("ana", "correct horse battery", now);
  REQUIRE(right.ok());
  CHECK(right->organization == "org-pantry");
  // A wrong password and an unknown name get the same answer.
  CHECK(users.verify("ana", "wrong password!!", now).message() == users.verify("nobody", "wrong password!!", now).message());
  for (int i = 0; i < 4; ++i) CHECK(users.verify("ana", "wrong password!!", now).issues().front().code == "login");
  // The fifth locks the account; a locked account, a wrong password and an unknown name are
  // answered alike, and each failure is counted alike (a write only real accounts made told
  // them apart by the answer's time).
  CHECK_FALSE(users.verify("ana", "correct horse battery", now + 1000).ok());
  CHECK(users.verify("ana", "correct horse battery", now + 1000).message() == users.verify("nobody", "x", now).message());
  for (int i = 0; i < 6; ++i) CHECK(users.verify("nobody", "wrong password!!", now).issues().front().code == "login");
  CHECK(users.verify("ana", "correct horse battery", now + security::kLockMs + 1).ok());  // the lock ends
  REQUIRE(users.disable("ana").ok());
  CHECK_FALSE(users.verify("ana", "correct horse battery", now + security::kLockMs + 2).ok());
}

TEST_CASE("forms: urlencoded fields and multipart parts with files, as browsers send them", "[gateway][web]") {
  auto plain = web::read_form("application/x-www-form-urlencoded", "csrf=a%2Bb&name=Ana+Ruiz&x=");
  REQUIRE(plain);
  CHECK(plain->field("csrf") == "a+b");
  CHECK(plain->field("name") == "Ana Ruiz");
  std::string body =
      "------WebKitFormBoundaryX\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n"
      "------WebKitFormBoundaryX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"intake.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\nA,B\r\n1,2\r\n\r\n"
      "------WebKitFormBoundaryX--\r\n";
  auto multi = web::read_form("multipart/form-data; boundary=----WebKitFormBoundaryX", body);
  REQUIRE(multi);
  CHECK(multi->field("csrf") == "tok");
  REQUIRE(multi->file("file"));
  CHECK(multi->file("file")->filename == "intake.csv");
  CHECK(multi->file("file")->value == "A,B\r\n1,2\r\n");
  // Cut short: no closing boundary, no form.
  CHECK_FALSE(web::read_form("multipart/form-data; boundary=----WebKitFormBoundaryX", body.substr(0, 120)));
  CHECK_FALSE(web::read_form("text/plain", "a=b"));
}

TEST_CASE("pages: the language asked for, cookies, tokens and escaping", "[gateway][web]") {
  using web::Lang;
  CHECK(web::choose_lang("", "", "es-ES,es;q=0.9,en;q=0.8") == Lang::Es);
  CHECK(web::choose_lang("", "", "fr-FR, en-US;q=0.8") == Lang::En);
  CHECK(web::choose_lang("", "es", "en") == Lang::Es);  // the switch, remembered
  CHECK(web::choose_lang("en", "es", "es") == Lang::En);
  CHECK(web::text(Lang::Es, "signin") == "Iniciar sesión");
  CHECK(web::count_of(Lang::En, "Patient", 1) == "1 person");
  CHECK(web::count_of(Lang::Es, "Encounter", 3) == "3 visitas");
  CHECK(web::cookie("a=1; cb_session=xyz; b=2", "cb_session") == "xyz");
  CHECK(web::cookie("cb_session_old=1", "cb_session").empty());
  CHECK(web::random_token().size() == 43);
  CHECK(web::random_token() != web::random_token());
  CHECK(web::escape("<a href=\"x\">O'Brien & co</a>") == "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;");
}

TEST_CASE("pages: a row's reason in Spanish keeps the value it quotes", "[gateway][web]") {
  using web::Lang;
  CHECK(web::reason_in(Lang::Es, "\"13/45/2020\" is not a date (write it as 2024-01-31 or 1/31/2024)") ==
        "\"13/45/2020\" no es una fecha (escríbala como 2024-01-31 o 1/31/2024)");
  CHECK(web::reason_in(Lang::Es, "\"Last Name\" is required and is empty") == "\"Last Name\" es obligatorio y está vacío");
  CHECK(web::reason_in(Lang::Es, "\"Q\" is not one of the allowed values (f, m)") == "\"Q\" no es uno de los valores permitidos (f, m)");
  CHECK(web::reason_in(Lang::Es, "\"Y\" is not one of the allowed values (0, 1; 8, 9, 99 for no answer)") ==
        "\"Y\" no es uno de los valores permitidos (0, 1; 8, 9, 99 si no hay respuesta)");
  CHECK(web::reason_in(Lang::En, "\"Q\" is not one of the allowed values") == "\"Q\" is not one of the allowed values");
  // A value that holds the engine's words is quoted as written, never translated.
  CHECK(web::reason_in(Lang::Es, "\"there is no phone\" is not a phone number (write it as (617) 555-0142, or +44 20 7946 0958 from abroad)") ==
        "\"there is no phone\" no es un número de teléfono (escríbalo como (617) 555-0142, o +44 20 7946 0958 desde el extranjero)");
}
