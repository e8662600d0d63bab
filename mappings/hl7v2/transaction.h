// How the resources a v2 message made become the entries of its transaction Bundle: each
// lands on its record by a conditional update or create on its business identifier, else
// by a PUT to an id made from what identifies it; two resources that land on one record
// are one entry, and references to the second are rewritten to the first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mappings/engine/resource_tree.h"
#include "mappings/hl7v2/map_spec.h"
#include "mappings/hl7v2/to_fhir.h"

namespace carebridge::mappings::hl7v2 {

// A resource the message makes.
struct Made {
  std::string type, role;
  engine::Node resource;
  size_t group = 0;
  size_t segment = 0;          // the segment that made it
  const SegmentMap* map = nullptr;
  std::string full_url;        // urn:uuid:...
  std::string key;             // what identifies it when it has no business identifier
  WriteMode write = WriteMode::Put;
  bool shared = false;         // a Practitioner, Organization or Location a datatype stands for
  std::vector<std::string> cleared;  // what the message nulled, when it updates a record
  // Merged with the stored record (to_fhir.h, MappedMessage::updates): the records a
  // message is the source of and may send in part (an ADT's Patient and visit). A result
  // or an order is sent whole each time: what it leaves out is gone (a flag no longer set).
  bool merges = false;
};

// The first identifier at `path` with a value as search criteria: "identifier=system|value";
// "" when none has one.
std::string identity_criteria(const engine::Node& resource, std::string_view path);
// Every identifier at `path` with a value, any of which finds the record
// ("identifier=a|1,b|2"), but an SSN or a driver's licence; "" when none has one.
std::string matching_criteria(const engine::Node& resource, std::string_view path);

// Whether a record has an identifier at `path` that an authority assigns (one with a system),
// other than an SSN or a driver's licence.
bool has_assigned_identifier(const engine::Node& resource, std::string_view path);

// Who sent a message, as its keys name it: the gateway's secret (MapOptions::id_secret), the
// authenticated organization when the gateway knows it, then MSH-3 and MSH-4, which say what
// the sender writes there; and the message's key, that and its control ID (MSH-10).
std::string sender_of(const Message& message, std::string_view organization, std::string_view secret);
std::string message_key(const Message& message, std::string_view raw, std::string_view organization, std::string_view secret);
// sender_uri (below) of the message's MSH-4, else MSH-3.
std::string sender_uri(const Message& message);

// The sender a message's records come from, as a URI for meta.source: the sending facility
// (MSH-4, else the sending application MSH-3) — an OID when its universal ID is one, else
// urn:carebridge:v2:sender:NAME; "" when the message names neither.
std::string sender_uri(const std::string& namespace_id, const std::string& universal_id);

// The transaction Bundle of the resources made (MappedMessage::tree, resources, updates).
// The resources are moved into it. A record found only by identifiers no authority assigns
// (a filler number without namespace, a bare MRN) is the sender's: it carries `source` in
// meta.source and is found only among the records with that source, so that two labs'
// ACC100, or two clinics' MRN 55501, stay two records.
void make_transaction(std::vector<Made>& all, MappedMessage& out, const std::string& source = {});

}  // namespace carebridge::mappings::hl7v2
