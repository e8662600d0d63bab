// Fuzzes v2 in as the MLLP listener takes it: any bytes through the MLLP framer in
// chunks (sizes from the input's first byte), and each frame through the ER7 reader and
// the shipped v2-to-FHIR maps (message structures, segment maps, datatype maps), so that
// no message a sender can make crashes, hangs or grows without bound in the mapping.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/ingest/mllp.h"
#include "mappings/hl7v2/to_fhir.h"

using namespace carebridge::mappings::hl7v2;
using carebridge::gateway::ingest::MllpFramer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto spec = MapSpec::load(CAREBRIDGE_HL7V2_MAPS_DIR);
  if (!spec || size == 0) return 0;
  size_t chunk = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  MllpFramer framer(1 << 16);
  std::vector<MllpFramer::Event> events;
  for (size_t at = 0; at < bytes.size(); at += chunk) framer.feed(bytes.substr(at, chunk), events);
  // Unframed input is a message too (what /ingest/hl7v2 and `carebridge map` take).
  events.push_back({MllpFramer::Event::Kind::Message, std::string(bytes), 0});
  ParseLimits limits;
  limits.max_bytes = 1 << 16;
  for (const auto& e : events) {
    if (e.kind != MllpFramer::Event::Kind::Message) continue;
    auto message = parse_er7(e.message, limits);
    if (!message) continue;
    auto mapped = map_to_fhir(*message, e.message, **spec);
    if (!mapped) continue;
    (void)mapped->bundle_json();  // the Bundle written, and a value traced back to its v2 position
    (void)mapped->source_of("Bundle.entry[0].resource.id");
  }
  return 0;
}
