// Reading what a client asks for: the request target (path and decoded query
// parameters), the response format (_format, Accept), the body format
// (Content-Type), and the Prefer header (return=..., handling=strict|lenient).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/io/format.h"
#include "fhir/search/query.h"
#include "gateway/http/message.h"

namespace carebridge::gateway::rest {

using Params = fhir::search::Params;

struct Target {
  std::string path;            // decoded path without the query
  Params params;               // decoded query parameters in order
  std::string query;           // the raw query text (for self links)
};

// Splits "/fhir/Patient?name=x" into path and decoded parameters.
Target parse_target(std::string_view target);
// application/x-www-form-urlencoded or query text into decoded parameters.
Params parse_query(std::string_view query);
// The criteria of a conditional create (If-None-Exist, Bundle.entry.request.ifNoneExist):
// "identifier=x|1", which some engines write as the type's search URL ("Patient?identifier=x|1",
// taken by HAPI too): the part after '?' when what precedes it is `type`.
std::string_view create_criteria(std::string_view type, std::string_view if_none_exist);
// The first search parameter in a create's URL ("Organization?identifier=x|1", as some
// engines write a conditional create), which a create does not take; "" when there is none
// (_format and _pretty are no search).
std::string create_url_parameter(const Params& params);
std::string url_decode(std::string_view text);
std::string url_encode(std::string_view text);

// An operation's parameters: the query's and, on a POST, those of its Parameters body (FHIR
// operations: "the parameters are ... in a Parameters resource"), in JSON or XML, each value
// as its text.
Params operation_params(const http::Request& request, const fhir::definitions::Definitions& definitions);

// The value of the first parameter with this name, or empty.
std::string_view param(const Params& params, std::string_view name);
bool has_param(const Params& params, std::string_view name);

enum class Return { Minimal, Representation, OperationOutcome };
struct Prefer {
  Return return_ = Return::Representation;
  bool strict = false;  // handling=strict: unknown search parameters are errors
};
Prefer parse_prefer(std::string_view header);

struct Negotiation {
  fhir::io::Format format = fhir::io::Format::Json;
  bool pretty = false;
  bool acceptable = true;  // false: _format/Accept named nothing we can write (406)
};
Negotiation negotiate(const http::Request& request, const Params& params);

// The format of a request body from Content-Type (or the content when absent);
// Unknown when the media type is not FHIR JSON or XML.
fhir::io::Format body_format(const http::Request& request);

std::string_view media_type(fhir::io::Format format);

// The FHIR format a media type names (application/fhir+json, application/fhir+xml, ...):
// Unknown for any other, or for one whose fhirVersion parameter is not R4's.
fhir::io::Format media_format(std::string_view media_type);

}  // namespace carebridge::gateway::rest
