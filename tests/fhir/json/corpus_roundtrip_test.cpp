// Every JSON example of the FHIR R4 specification converts JSON -> XML -> JSON
// with nothing lost or changed, and the XML is well-formed FHIR XML that reads back.
#include <catch2/catch.hpp>

#include <filesystem>

#include "support/codec_helpers.h"

using namespace carebridge::testing;

TEST_CASE("specification examples round-trip JSON -> XML -> JSON") {
  auto folder = corpus("fhir-examples");
  if (folder.empty()) {
    WARN("../shared/corpus/fhir-examples not present: skipped");
    return;
  }
  int files = 0, failures = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    std::string original = read_text(entry.path());
    auto xml = to_xml(original);
    auto back = xml.ok ? to_json(xml.text) : xml;
    std::string difference = back.ok ? json_difference(original, back.text) : back.error;
    if (!difference.empty()) {
      ++failures;
      UNSCOPED_INFO(entry.path().filename().string() << ": " << difference);
    }
  }
  INFO(files << " examples, " << failures << " not lossless");
  CHECK(files > 0);
  CHECK(failures == 0);
}
