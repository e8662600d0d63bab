// The access facts kept with every stored version: written once, read on every search
// (FactsView), so what comes back must be what went in, and text that is not facts
// must never read as valid ones.
#include <catch2/catch.hpp>

#include "gateway/security/access_facts.h"

namespace sec = carebridge::gateway::security;

namespace {

std::vector<std::string> patients_of(const sec::FactsView& view) {
  std::vector<std::string> out;
  view.any_patient([&](std::string_view p) {
    out.emplace_back(p);
    return false;
  });
  return out;
}

std::vector<std::string> parties_of(const sec::FactsView& view) {
  std::vector<std::string> out;
  view.any_party([&](std::string_view p) {
    out.emplace_back(p);
    return false;
  });
  return out;
}

}  // namespace

TEST_CASE("access facts read back as they were written", "[gateway][security][access-facts]") {
  sec::AccessFacts facts;
  facts.owner = "eastside-food-bank";
  facts.patients = {"p1", "p-2.x"};
  facts.parties = {"org-a", "org_b", "org.c"};
  facts.labels = 0x15;
  facts.confined = true;
  std::string text = sec::encode(facts);
  CHECK(text == "1|eastside-food-bank|p1,p-2.x|org-a,org_b,org.c|21|2");

  sec::FactsView view(text);
  REQUIRE(view.valid());
  CHECK(view.owner() == "eastside-food-bank");
  CHECK(view.labels() == 0x15);
  CHECK(view.confined());
  CHECK_FALSE(view.shared());
  CHECK_FALSE(view.relationship());
  CHECK(view.has_patients());
  CHECK(patients_of(view) == facts.patients);
  CHECK(parties_of(view) == facts.parties);

  auto back = view.facts();
  CHECK(back.owner == facts.owner);
  CHECK(back.patients == facts.patients);
  CHECK(back.parties == facts.parties);
  CHECK(back.labels == facts.labels);
  CHECK(back.confined);
  CHECK_FALSE(back.shared);
  CHECK(sec::encode(back) == text);
}

TEST_CASE("each access flag reads back on its own", "[gateway][security][access-facts]") {
  for (int flags = 0; flags < 8; ++flags) {
    sec::AccessFacts facts;
    facts.shared = flags & 1;
    facts.confined = flags & 2;
    facts.relationship = flags & 4;
    std::string text = sec::encode(facts);  // the view points into it
    sec::FactsView view(text);
    INFO("flags " << flags);
    REQUIRE(view.valid());
    CHECK(view.shared() == facts.shared);
    CHECK(view.confined() == facts.confined);
    CHECK(view.relationship() == facts.relationship);
  }
  sec::AccessFacts high;
  high.labels = 0xFFFFFFFFu;
  CHECK(sec::FactsView(sec::encode(high)).labels() == 0xFFFFFFFFu);
}

TEST_CASE("access facts without owner, patients or parties stay empty", "[gateway][security][access-facts]") {
  sec::AccessFacts none;
  none.shared = true;
  std::string text = sec::encode(none);
  CHECK(text == "1||||0|1");
  sec::FactsView view(text);
  REQUIRE(view.valid());
  CHECK(view.owner().empty());
  CHECK_FALSE(view.has_patients());
  CHECK_FALSE(view.any_patient([](std::string_view) { return true; }));
  CHECK_FALSE(view.any_party([](std::string_view) { return true; }));
  auto back = view.facts();
  CHECK(back.patients.empty());  // not one empty id
  CHECK(back.parties.empty());
  CHECK(back.shared);

  // any_patient stops at the first match and says so.
  sec::AccessFacts two;
  two.patients = {"p1", "p2", "p3"};
  std::string text2 = sec::encode(two);
  sec::FactsView view2(text2);
  int visited = 0;
  CHECK(view2.any_patient([&](std::string_view p) {
    ++visited;
    return p == "p2";
  }));
  CHECK(visited == 2);
  CHECK_FALSE(view2.any_patient([](std::string_view p) { return p == "p"; }));
}

TEST_CASE("text that is not access facts is not valid", "[gateway][security][access-facts]") {
  for (const char* text : {"", "garbage", "2|o|p|q|0|0", "1|o|p|q|0", "1|o|p|q|0|0|id|extra", "1|o|p|q|x|0",
                           "1|o|p|q|0|y", "1|o|p|q|-1|0", "1|o|p|q||0", "1|o|p|q|0|", "1|o|p|q|99999999999|0",
                           "|o|p|q|0|0"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(sec::FactsView(text).valid());
  }
  // After the flags, the record's id (versions stored before it was kept have none).
  CHECK(sec::FactsView("1|o|p|q|0|0|obs-7").id() == "obs-7");
  CHECK(sec::FactsView("1|o|p|q|0|0").valid());
  CHECK(sec::FactsView("1|o|p|q|0|0").id().empty());
  // A default view (no facts stored) is not valid either.
  CHECK_FALSE(sec::FactsView(std::string_view()).valid());
}
