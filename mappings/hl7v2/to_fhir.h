// HL7 v2 to FHIR R4: one message to one transaction Bundle, by the declarative maps
// (map_spec.h). Segments are placed in the message structure's groups, each segment map
// makes or fills a resource, references point to the resources in scope (the Patient of
// this patient group, the ServiceRequest of this order), and every resource is written so
// that it lands on the right record: a conditional update or create on its business
// identifier, else a PUT to an id derived from what identifies it. The raw message is kept
// as a Binary, and a Provenance links it to every resource it produced.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"
#include "mappings/engine/resource_tree.h"
#include "mappings/hl7v2/er7.h"
#include "mappings/hl7v2/map_spec.h"

namespace carebridge::mappings::hl7v2 {

struct MapOptions {
  // The zone of times that have none when MSH-7 has none either ("-05:00"): the sender's
  // local time (v2 2.A.22). Empty: read as UTC, with a warning at MSH-7.
  std::string default_timezone;
  bool keep_message = true;             // the raw message as a Binary with the Provenance
  // What the code systems say of a code: nullopt when the system is known in full and
  // lacks it; else its display there ("" when the system is not known). Null: nothing known.
  std::function<std::optional<std::string>(std::string_view system, std::string_view code)> code_display;
  // The authenticated organization that sent the message ("" when none is known): it leads
  // the keys of the message and of its records, so that what one sender writes in MSH-3,
  // MSH-4 and MSH-10 never names another's message (a control id another sender used first
  // made the hospital's own message a duplicate, acknowledged and not stored).
  std::string organization;
  // A secret of this gateway, mixed into the ids of a message's records (its Binary,
  // Provenance and MessageHeader, records keyed by its fields): no one can tell beforehand
  // the id a sender's message will write, and so put a record there first (a Binary put at
  // a lab's next message's id made that message a duplicate, acknowledged and not stored).
  std::string id_secret;
};

struct MappedMessage {
  engine::Node tree;             // the transaction Bundle as built, with each value's v2 position
  std::vector<Issue> warnings;   // what was left out, each with its v2 position
  std::string message_type;      // "ORU^R01"
  std::string structure;         // "ORU_R01"
  size_t resources = 0;          // entries in the Bundle
  // The records the message updates and may send in part (an ADT's Patient and visit; a
  // result or an order is sent whole), by fullUrl, each with
  // what the message cleared by sending v2's null `""`: element names ("telecom"), or an
  // item of a list kept by key ("identifier|http://hl7.org/fhir/sid/us-ssn",
  // "extension|URL"). What a message leaves out it does not change (v2 2.5.3), so the
  // stored record's other elements are kept (update_merge.h).
  std::map<std::string, std::vector<std::string>> updates;

  // The v2 position of what is at `expression` in the Bundle ("Bundle.entry[3].resource.gender"
  // → "PID[1]-8"), "" when it came from no field.
  std::string source_of(std::string_view expression) const { return engine::source_at(tree, expression); }
  // The Bundle as JSON, written at each call (a converter reads the tree as it is).
  std::string bundle_json() const;
};

// Maps one parsed message. Fails (issue code "not-supported", at MSH-9) when the message
// type has no map.
carebridge::Result<MappedMessage> map_to_fhir(const Message& message, std::string_view raw, const MapSpec& spec,
                                               const MapOptions& options = {});

// The id of the Binary that keeps a message: the same for the same sender (the authenticated
// `organization`, MSH-3, MSH-4) and control id (MSH-10), so a message sent again is found as a duplicate.
std::string stored_message_id(const Message& message, std::string_view raw, std::string_view organization = {},
                              std::string_view id_secret = {});


}  // namespace carebridge::mappings::hl7v2
