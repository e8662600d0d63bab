// Acknowledgements (ACK) for received messages, original and enhanced mode: MSA with
// AA/AE/AR (application) or CA/CE/CR (accept), and one ERR per problem that points at
// the segment, field, repetition, component and sub-component (ERR-2) and says what is
// wrong in plain words (ERR-8), with the HL7 error code (table 0357) in ERR-3.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mappings/hl7v2/er7.h"

namespace carebridge::mappings::hl7v2 {

struct AckError {
  std::string location;   // "OBX[2]-5[1].3"; empty: the message as a whole
  std::string message;    // plain words
  char severity = 'E';    // E, W, I
  std::string code = "207";  // table 0357: 100 segment, 101 required field, 102 data type, 103 table value,
                             // 200 unsupported message type, 201 unsupported event, 207 application error
};

// What the sender asked for (MSH-15 accept, MSH-16 application acknowledgement).
struct AckRequest {
  bool enhanced = false;          // MSH-15 or MSH-16 is valued
  std::string accept, application;  // AL, NE, ER, SU (empty: AL)
  // Whether an acknowledgement of this kind is wanted after a success or an error.
  static bool wanted(std::string_view condition, bool success);
};
AckRequest ack_request(const Message& message);

// An ACK answering `original` (which may be null when the text was not a message: then
// `raw` is searched for what MSH fields can be found). `code`: AA AE AR CA CE CR.
std::string make_ack(const Message* original, std::string_view raw, std::string_view code, std::string_view text,
                     const std::vector<AckError>& errors, std::string_view control_id);

// "OBX[2]-5[1].3" → "OBX^2^5^1^3" (the ERL datatype of ERR-2).
std::string error_location(std::string_view location);

}  // namespace carebridge::mappings::hl7v2
