// gateway/ingest: HL7 v2 messages in, by any way (POST /ingest/hl7v2, the MLLP listener).
// One message is parsed, mapped and validated (mappings/hl7v2), then its transaction
// Bundle goes through the FHIR service as the sender's client, on the one write path with
// its authorization, commit hooks and audit. A message whose sender and control id
// (MSH-3, MSH-4, MSH-10) were already stored is a duplicate: acknowledged, not applied again.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/message.h"
#include "gateway/rest/write_path.h"
#include "mappings/hl7v2/ack.h"
#include "mappings/hl7v2/conversion.h"

namespace carebridge::gateway::rest {
class FhirService;
}
namespace carebridge::gateway::store {
class Store;
}

namespace carebridge::gateway::ingest {

struct V2Outcome {
  enum class Kind {
    Accepted,   // mapped, valid and committed
    Duplicate,  // already stored: nothing changed
    Rejected,   // not a message we take (AR)
    Invalid,    // the Bundle does not validate (AE)
    Refused,    // the store or the security rules refused the transaction (AE)
  };
  Kind kind = Kind::Rejected;
  mappings::hl7v2::Conversion conversion;
  http::Response transaction;  // the FHIR service's answer, when the Bundle was sent
  std::vector<mappings::hl7v2::AckError> errors;
  std::string text;  // one line for MSA-3 and logs (no personal data)

  bool success() const { return kind == Kind::Accepted || kind == Kind::Duplicate; }
};

class V2Ingest {
 public:
  V2Ingest(rest::FhirService& service, store::Store& store, std::shared_ptr<const mappings::hl7v2::Converter> converter,
           std::string base_path);

  // Takes one message for `who` (null: the open server's caller). Never throws for input.
  // `host`: the HTTP request's Host, the base of the transaction-response's fullUrls (none over MLLP).
  V2Outcome ingest(std::string_view text, const rest::Caller& who, const std::string& remote,
                   std::string_view host = {}) const;
  // The acknowledgements to send back: one in original mode; in enhanced mode the accept
  // and the application acknowledgement each when MSH-15 and MSH-16 ask for it.
  std::vector<std::string> acknowledgements(const V2Outcome& outcome, std::string_view text) const;

  const mappings::hl7v2::Converter& converter() const { return *converter_; }

 private:
  // The message's Bundle as it is sent: each record it updates keeps the elements of its
  // stored version the message did not speak of (v2_merge.h), and names that version
  // (ifMatch), so that a write between this read and the commit is not lost.
  std::string bundle_to_send(const mappings::hl7v2::MappedMessage& mapped, const rest::Caller& who) const;

  rest::FhirService& service_;
  store::Store& store_;
  std::shared_ptr<const mappings::hl7v2::Converter> converter_;
  std::string base_path_;
};

// The HL7 error code (table 0357) and severity for an issue.
mappings::hl7v2::AckError ack_error(const mappings::hl7v2::MessageIssue& issue);

}  // namespace carebridge::gateway::ingest
