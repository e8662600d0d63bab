// The binary index of the core: written by the first start-up, read by later ones,
// equal to what the JSON gives, and ignored (then rewritten) when stale or damaged.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support/test_support.h"

using namespace carebridge::testing;
namespace defs = carebridge::fhir::definitions;
namespace fs = std::filesystem;

namespace {

fs::path copy_core() {
  fs::path dir = temp_dir("core-copy");
  fs::create_directories(dir / "r4");
  fs::path source = defs::Definitions::default_dir() / "r4";
  for (const char* f : {"profiles-types.json", "profiles-resources.json"}) fs::copy_file(source / f, dir / "r4" / f);
  return dir;
}

void require_same(const defs::Definitions& a, const defs::Definitions& b) {
  for (const char* type : {"Patient", "Observation", "Questionnaire", "HumanName", "decimal", "positiveInt", "Extension"}) {
    const auto* x = a.type(type);
    const auto* y = b.type(type);
    REQUIRE(x);
    REQUIRE(y);
    CHECK(x->url == y->url);
    CHECK(x->json_value == y->json_value);
    REQUIRE(x->elements.size() == y->elements.size());
    for (size_t i = 0; i < x->elements.size(); ++i) {
      const auto& e = x->elements[i];
      const auto& f = y->elements[i];
      CHECK(e.id == f.id);
      CHECK(e.min == f.min);
      CHECK(e.max == f.max);
      CHECK(e.children == f.children);
      CHECK(e.constraints.size() == f.constraints.size());
      CHECK(e.binding.has_value() == f.binding.has_value());
      CHECK(e.content_target == f.content_target);
    }
    CHECK((x->base ? x->base->url : "") == (y->base ? y->base->url : ""));
  }
  CHECK(a.resource("OperationDefinition", "http://hl7.org/fhir/OperationDefinition/Resource-validate") != nullptr);
  CHECK(b.resource("OperationDefinition", "http://hl7.org/fhir/OperationDefinition/Resource-validate") != nullptr);
}

}  // namespace

TEST_CASE("the first load writes an index that later loads read, with the same content") {
  fs::path dir = copy_core();
  fs::path index = dir / "r4" / ".carebridge-index-v4.bin";
  auto from_json = defs::Definitions::load_core(dir);
  REQUIRE(fs::exists(index));
  auto from_index = defs::Definitions::load_core(dir);
  require_same(*from_json, *from_index);
}

TEST_CASE("a damaged or stale index is ignored and rewritten") {
  fs::path dir = copy_core();
  fs::path index = dir / "r4" / ".carebridge-index-v4.bin";
  auto first = defs::Definitions::load_core(dir);
  auto size = fs::file_size(index);
  fs::resize_file(index, size / 2);
  auto after_damage = defs::Definitions::load_core(dir);
  require_same(*first, *after_damage);
  CHECK(fs::file_size(index) == size);
  {
    std::ofstream garbage(index, std::ios::binary | std::ios::trunc);
    garbage << std::string(64, '\xff');
  }
  auto after_garbage = defs::Definitions::load_core(dir);
  require_same(*first, *after_garbage);
  // Touching a source makes the index stale.
  fs::last_write_time(dir / "r4" / "profiles-types.json", fs::file_time_type::clock::now());
  auto after_touch = defs::Definitions::load_core(dir);
  require_same(*first, *after_touch);
}
