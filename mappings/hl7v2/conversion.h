// One v2 message from text to a validated FHIR transaction Bundle: parse (ER7), map (the
// declarative maps) and validate, with every issue traced back to the v2 position its
// value came from. The same path serves `carebridge map`, POST /ingest/hl7v2 and MLLP.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"
#include "fhir/terminology/terminology.h"
#include "fhir/validation/validator.h"
#include "mappings/hl7v2/er7.h"
#include "mappings/hl7v2/to_fhir.h"

namespace carebridge::mappings::hl7v2 {

// An issue with where in the message it comes from ("OBX[2]-5"; empty: the message).
struct MessageIssue {
  Issue issue;
  std::string location;
  bool from_validation = false;  // found by the validator (else by the parser or the mapper)
};

struct Conversion {
  // Accepted: a valid Bundle. Rejected: not a message we can take (not ER7, a type with no
  // map): ACK AR. Invalid: the Bundle does not validate: ACK AE.
  enum class Outcome { Accepted, Rejected, Invalid };
  Outcome outcome = Outcome::Rejected;
  std::optional<Message> message;          // when it parsed
  MappedMessage mapped;                    // when it mapped
  std::unique_ptr<fhir::model::Document> bundle;  // the parsed Bundle, when it mapped
  std::vector<MessageIssue> issues;        // errors and warnings, each with its v2 location

  bool accepted() const { return outcome == Outcome::Accepted; }
  // The first error as one line ("OBX[2]-5: ...").
  std::string first_error() const;
};

class Converter {
 public:
  // `validator` may be null (no validation: every mapped Bundle is accepted). `terminology`
  // answers which codes the held code systems have; null: one of its own over `definitions`.
  Converter(const fhir::definitions::Definitions& definitions, const fhir::validation::Validator* validator,
            std::shared_ptr<const MapSpec> spec, MapOptions options = {},
            fhir::validation::Policy policy = fhir::validation::Policy::Strict,
            const fhir::terminology::Terminology* terminology = nullptr);

  // `organization`: the authenticated sender, when known (MapOptions::organization).
  Conversion convert(std::string_view text, const ParseLimits& limits = {}, std::string_view organization = {}) const;
  // The id of the Binary that keeps `message` once stored (hl7v2::stored_message_id, with the
  // options' secret).
  std::string stored_message_id(const Message& message, std::string_view raw, std::string_view organization) const;
  const MapSpec& spec() const { return *spec_; }

 private:
  const fhir::definitions::Definitions& definitions_;
  const fhir::validation::Validator* validator_;
  std::shared_ptr<const MapSpec> spec_;
  std::shared_ptr<const fhir::terminology::Terminology> terminology_;
  MapOptions options_;
  fhir::validation::Policy policy_;
};

// Splits text holding one or more messages (a file, a batch with FHS/BHS/BTS/FTS, MLLP
// frames) into the text of each message, each starting at its MSH.
std::vector<std::string_view> split_messages(std::string_view text);

// What split_messages leaves out before the first message or batch header, beyond a byte
// order mark, blank lines and MLLP framing (an export's title line): "" when nothing.
std::string_view text_before_messages(std::string_view text);

// `text` fit to print in a terminal, a log or an ACK: control characters and bytes that are
// not UTF-8 written as \xNN.
std::string printable(std::string_view text);

}  // namespace carebridge::mappings::hl7v2
