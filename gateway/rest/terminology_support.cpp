// What the terminology operations share (terminology_support.h): reading their parameters,
// finding code systems among the definitions and what clients stored, writing Parameters.
#include "gateway/rest/terminology_support.h"

#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest::terminology_ops {
namespace {

std::string text_of(const fhir::model::Element* parent, std::string_view name) {
  const fhir::model::Element* child = parent ? parent->child(name) : nullptr;
  return child && child->has_value ? std::string(child->value) : std::string();
}

void add_coding(const fhir::model::Element& coding, const std::string& parameter, std::vector<CodingIn>& out) {
  out.push_back({text_of(&coding, "system"), text_of(&coding, "version"), text_of(&coding, "code"),
                 text_of(&coding, "display"), parameter});
}

// One parameter of a Parameters body into `in`.
void read_parameter(const fhir::model::Element& parameter, OperationInput& in) {
  std::string name = text_of(&parameter, "name");
  for (const fhir::model::Element* v = parameter.first_child; v; v = v->next) {
    if (v->base_name() == "resource" && (name == "valueSet" || name == "codeSystem" || name == "conceptMap")) {
      in.resource_json = fhir::json::write(*v, {false});
    } else if (v->base_name() == "value" && v->type == "Coding") {
      add_coding(*v, name, in.codings);
    } else if (v->base_name() == "value" && v->type == "CodeableConcept") {
      for (const fhir::model::Element* c = v->first_child; c; c = c->next)
        if (c->name == "coding") add_coding(*c, name, in.codings);
    } else if (v->base_name() == "value" && v->has_value) {
      in.params.emplace_back(name, std::string(v->value));
    }
  }
}

}  // namespace

std::vector<CodingIn> OperationInput::codings_named(std::string_view parameter) const {
  std::vector<CodingIn> out;
  for (const CodingIn& c : codings)
    if (c.parameter == parameter || (parameter == "coding" && c.parameter == "codeableConcept")) out.push_back(c);
  return out;
}

std::vector<std::string> OperationInput::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : params)
    if (key == name && !value.empty()) out.push_back(value);
  return out;
}

std::optional<Result> read_input(const http::Request& request, const Params& query,
                                 const fhir::definitions::Definitions& definitions, OperationInput& in) {
  in.params = query;
  if (request.method != "POST" || request.body.empty()) return std::nullopt;
  auto parsed = fhir::io::read(request.body, definitions);
  const fhir::model::Element* root = parsed.document ? parsed.document->root() : nullptr;
  if (!root || root->type != "Parameters")
    return failure(400, "structure", "the body of a terminology operation is a Parameters resource (JSON or XML)");
  for (const fhir::model::Element* p = root->first_child; p; p = p->next)
    if (p->base_name() == "parameter") read_parameter(*p, in);
  return std::nullopt;
}

std::vector<CodingIn> concepts_asked(const OperationInput& in, std::string_view system_param, std::string_view version_param) {
  std::string code(param(in.params, "code"));
  if (!code.empty()) {
    return {{std::string(param(in.params, system_param)), std::string(param(in.params, version_param)), code,
             std::string(param(in.params, "display")), "code"}};
  }
  return in.codings_named("coding");
}

std::optional<Result> concepts_with_codes(const OperationInput& in, std::string_view system_param, std::string_view version_param,
                                          const std::string& operation, const std::string& doing, std::vector<CodingIn>& out) {
  out = concepts_asked(in, system_param, version_param);
  if (out.empty()) return failure(400, "required", operation + " needs a code (with its system), a coding or a codeableConcept");
  for (const CodingIn& c : out)
    if (c.code.empty()) return failure(400, "required", "a " + c.parameter + " without a code cannot be " + doing);
  return std::nullopt;
}

bool names_version(std::string_view wanted, std::string_view held_version) {
  size_t bar = wanted.find('|');
  return bar == std::string_view::npos || held_version.empty() || held_version == wanted.substr(bar + 1);
}

std::string canonical(std::string_view url, std::string_view version) {
  return version.empty() || url.find('|') != std::string_view::npos ? std::string(url)
                                                                     : std::string(url) + "|" + std::string(version);
}

const terminology::CodeSystem* Sources::code_system(std::string_view wanted) {
  for (const auto& [name, cs] : found_)
    if (name == wanted) return cs;
  size_t bar = wanted.find('|');
  const terminology::CodeSystem* cs = terms.code_system(wanted.substr(0, bar));
  if (cs && !names_version(wanted, cs->version)) cs = nullptr;
  if (!cs) {
    if (auto json = stored("CodeSystem", wanted)) read_code_system(*json, cs);
  }
  found_.emplace_back(std::string(wanted), cs);
  return cs;
}

Result Sources::read_code_system(const std::string& json, const terminology::CodeSystem*& out) {
  auto read = terminology::read_code_system(json);
  if (!read) return failure(422, "invalid", "the code system cannot be read: " + read.message());
  held_.push_back(std::make_unique<const terminology::CodeSystem>(std::move(*read)));
  out = held_.back().get();
  return Result{};
}

std::optional<Result> Sources::given(const std::string& type, const std::string& id, const OperationInput& in, std::string& json) {
  json = in.resource_json;
  if (id.empty()) return std::nullopt;
  auto found = stored(type, type + "/" + id);
  if (!found) return failure(404, "not-found", type + "/" + id + " is not known");
  json = std::move(*found);
  return std::nullopt;
}

terminology::ExtraSources Sources::extra() {
  return {[this](std::string_view url) { return code_system(url); },
          [this](std::string_view url) { return stored("ValueSet", url); }};
}

Result resource_answer(const std::function<void(Writer&)>& members) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  members(w);
  w.EndObject();
  Result r;
  r.status = 200;
  r.resource_json = buffer.GetString();
  return r;
}

Result parameters(const std::function<void(Writer&)>& members) {
  return resource_answer([&](Writer& w) {
    w.Key("resourceType");
    w.String("Parameters");
    w.Key("parameter");
    w.StartArray();
    members(w);
    w.EndArray();
  });
}

namespace {
void key(Writer& w, std::string_view name) { w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size())); }
void text(Writer& w, std::string_view value) { w.String(value.data(), static_cast<rapidjson::SizeType>(value.size())); }
bool is_number(std::string_view value) {
  return !value.empty() && value.find_first_not_of("-+.0123456789eE") == std::string_view::npos;
}
}  // namespace

void parameter(Writer& w, std::string_view name, const char* type, std::string_view value) {
  w.StartObject();
  w.Key("name");
  text(w, name);
  w.Key(type);
  if (std::string_view(type) == "valueBoolean") {
    w.Bool(value == "true");
  } else if ((std::string_view(type) == "valueInteger" || std::string_view(type) == "valueDecimal") && is_number(value)) {
    w.RawValue(value.data(), value.size(), rapidjson::kNumberType);
  } else {
    text(w, value);
  }
  w.EndObject();
}

void boolean_parameter(Writer& w, std::string_view name, bool value) { parameter(w, name, "valueBoolean", value ? "true" : "false"); }

void coding_value(Writer& w, std::string_view system, std::string_view code, std::string_view display) {
  w.StartObject();
  for (auto [k, value] : {std::pair<const char*, std::string_view>{"system", system}, {"code", code}, {"display", display}}) {
    if (value.empty()) continue;
    key(w, k);
    text(w, value);
  }
  w.EndObject();
}

void coding_parameter(Writer& w, std::string_view name, std::string_view system, std::string_view code, std::string_view display) {
  w.StartObject();
  w.Key("name");
  text(w, name);
  w.Key("valueCoding");
  coding_value(w, system, code, display);
  w.EndObject();
}

void start_group(Writer& w, const char* name) {
  w.StartObject();
  w.Key("name");
  w.String(name);
  w.Key("part");
  w.StartArray();
}

void end_group(Writer& w) {
  w.EndArray();
  w.EndObject();
}

Result validation_answer(bool result, const std::string& message, std::string_view display) {
  return parameters([&](Writer& w) {
    boolean_parameter(w, "result", result);
    if (!message.empty()) parameter(w, "message", "valueString", message);
    if (!display.empty()) parameter(w, "display", "valueString", display);
  });
}

std::string display_problem(const terminology::CodeSystem& cs, const terminology::Concept& found, std::string_view display) {
  switch (terminology::compare_display(cs, found, display)) {
    case terminology::DisplayMatch::same:
    case terminology::DisplayMatch::cut_short:  // may be right: the system's displays are cut short
      return "";
    case terminology::DisplayMatch::whitespace:
    case terminology::DisplayMatch::wrong:
      break;
  }
  return "the display '" + std::string(display) + "' for " + cs.url + "#" + found.code + " is not right: it is '" +
         std::string(found.display()) + "'";
}

}  // namespace carebridge::gateway::rest::terminology_ops
