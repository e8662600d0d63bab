// Fuzzes the HL7 v2 ER7 reader: any bytes as a message; when it parses, every field,
// repetition, component and sub-component is read and decoded, and positions printed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mappings/hl7v2/er7.h"

using namespace carebridge::mappings::hl7v2;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ParseLimits limits;
  limits.max_bytes = 1 << 16;
  auto message = parse_er7(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!message) return 0;
  (void)message->message_code();
  (void)message->character_set();
  for (const Segment& s : message->segments()) {
    for (size_t f = 1; f < s.fields.size() && f < 40; ++f) {
      size_t reps = message->repetitions(s, f);
      for (size_t r = 1; r <= reps && r <= 8; ++r) {
        size_t components = message->components(s, f, r);
        for (size_t c = 1; c <= components && c <= 12; ++c) {
          (void)message->value(s, f, r, c, 1);
          (void)message->value(s, f, r, c, 2);
        }
      }
      (void)Position{s.name, s.repetition, f, 1, 1, 1}.to_string();
    }
  }
  return 0;
}
