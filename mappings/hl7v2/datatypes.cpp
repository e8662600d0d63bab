#include "mappings/hl7v2/datatypes.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "fhir/fhirpath/quantity.h"
#include "fhir/io/base64.h"
#include "fhir/time/fhir_time.h"
#include "mappings/hl7v2/digits.h"

namespace carebridge::mappings::hl7v2 {

using engine::Node;

std::string FieldValue::part(size_t i) const {
  if (!message || !segment) return {};
  return component ? message->value(*segment, field, repetition, component, i)
                   : message->value(*segment, field, repetition, i, 1);
}

FieldValue FieldValue::sub(size_t i) const {
  FieldValue out = *this;
  out.component = component ? component : i;
  if (component) out.message = nullptr;  // a sub-component has no parts of its own
  return out;
}

bool FieldValue::empty() const {
  if (!message || !segment) return true;
  size_t parts = component ? 20 : std::max<size_t>(1, message->components(*segment, field, repetition));
  for (size_t i = 1; i <= parts; ++i)
    if (!part(i).empty()) return false;
  return true;
}

std::string FieldValue::where(size_t i) const {
  if (!segment) return {};
  Position p{segment->name, segment->repetition, field, repetition, component ? component : i, component ? i : 0};
  return p.to_string();
}

std::string FieldValue::joined(size_t first, std::string_view separator) const {
  std::string out;
  size_t parts = component ? 20 : message ? message->components(*segment, field, repetition) : 0;
  for (size_t i = first; i <= parts; ++i) {
    std::string p = part(i);
    if (p.empty()) continue;
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

const VocabularyEntry* lookup(const Vocabulary& vocabulary, std::string_view code) {
  if (const VocabularyEntry* e = vocabulary.listed(code)) return e;
  return vocabulary.fallback ? &*vocabulary.fallback : nullptr;
}

std::string fhir_decimal(std::string_view v2) {
  while (!v2.empty() && std::isspace(static_cast<unsigned char>(v2.front()))) v2.remove_prefix(1);
  while (!v2.empty() && std::isspace(static_cast<unsigned char>(v2.back()))) v2.remove_suffix(1);
  std::string out;
  if (!v2.empty() && (v2.front() == '-' || v2.front() == '+')) {
    if (v2.front() == '-') out += '-';
    v2.remove_prefix(1);
  }
  size_t dot = v2.find('.');
  std::string_view whole = v2.substr(0, dot), fraction = dot == std::string_view::npos ? std::string_view() : v2.substr(dot + 1);
  if ((whole.empty() && fraction.empty()) || (!whole.empty() && !digits(whole)) || (!fraction.empty() && !digits(fraction)))
    return {};
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  out += whole.empty() ? "0" : std::string(whole);
  if (!fraction.empty()) out += "." + std::string(fraction);
  if (out == "-0") out = "0";
  return out;
}

std::string moment_text(std::string_view text, const std::string& where, DatatypeContext& context, bool date_only) {
  if (text.empty()) return {};
  MomentReading reading = read_moment(text, context.timezone, date_only);
  if (std::string said = moment_warning(reading, text, " and was left out"); !said.empty()) context.warn(where, said);
  return reading.fhir;
}

// A URI-safe form of a v2 name for use in a system URL template.
std::string uri_safe(std::string_view name) {
  std::string out;
  // '+' is kept: table 0396's ISO+ and ANS+ are not ISO- and ANS- (RFC 3986 allows it in a path or URN).
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '+' ? c : '-';
  return out;
}

namespace {
// The period parts `start` and `end` of `v` state (DR's 1 and 2, CX's 7 and 8, XAD's 13 and 14);
// an end before the start is left out, with a warning (FHIR's per-1 would refuse the message).
Node period(const FieldValue& v, DatatypeContext& context, size_t start = 1, size_t end = 2, bool date_only = false) {
  Node p;
  std::string from = moment_text(v.part(start), v.where(start), context, date_only);
  std::string to = moment_text(v.part(end), v.where(end), context, date_only);
  auto begins = fhir::time::date_range(from), ends = fhir::time::date_range(to);
  if (begins && ends && begins->first > ends->second) {
    context.warn(v.where(end), "the period ends (" + to + ") before it starts (" + from + "): its end is left out");
    to.clear();
  }
  p.set("start", Node::string(from, v.where(start)));
  p.set("end", Node::string(to, v.where(end)));
  return p;
}

std::string from_template(const VocabularyEntry* entry, std::string_view name) {
  if (!entry) return {};
  std::string out = entry->code;
  if (size_t at = out.find("{}"); at != std::string::npos) out.replace(at, 2, uri_safe(name));
  return out;
}

// The system of an assigning authority (an HD, or EI-2..4): its universal id, else its namespace.
std::string authority_system(const std::string& ns, const std::string& universal, const std::string& type,
                             const MapSpec& spec) {
  const Vocabulary* authorities = spec.vocabulary("identifier-authorities");
  // An authority the FHIR identifier registry names by its OID (the NPI's) has the system
  // the registry gives it, the one its bare namespace gets too: one prescriber, one record.
  if (authorities && !universal.empty())
    if (auto it = authorities->entries.find(universal); it != authorities->entries.end()) return it->second.code;
  if (!universal.empty()) {
    // A universal ID whose type is an authority (table 0301's CLIA: a CLIA number) is in its system.
    if (authorities && !type.empty())
      if (auto it = authorities->entries.find(type); it != authorities->entries.end()) return it->second.code;
    // An OID-shaped universal id is an OID whatever its type says (DG1-20's ^1.3.6.1...^CLIP).
    if (is_oid(universal)) return "urn:oid:" + universal;
    if (type == "UUID") return "urn:uuid:" + universal;
    if (universal.find(':') != std::string::npos) return universal;
  }
  std::string name = ns.empty() ? universal : ns;
  if (name.empty() || !authorities) return {};
  auto it = authorities->entries.find(name);
  if (it != authorities->entries.end()) return it->second.code;
  return from_template(authorities->fallback ? &*authorities->fallback : nullptr, name);
}

std::string authority_system(const FieldValue& hd, const MapSpec& spec) {
  return authority_system(hd.part(1), hd.part(2), hd.part(3), spec);
}

std::string coding_system(const MapSpec& spec, std::string_view name) {
  std::string system = spec.coding_system(name);
  if (!system.empty() || name.empty()) return system;
  const Vocabulary* systems = spec.vocabulary("coding-systems");
  return from_template(systems && systems->fallback ? &*systems->fallback : nullptr, name);
}

// The system of a Quantity's units (CWE-3 of OBX-6, RXE-5, ...). Table 0396's unit sets
// ISO+ (ISO 2955 with HL7's extensions) and ANS+ (ANSI X3.50 with HL7's) share many codes
// with UCUM but are not UCUM: a code is claimed as UCUM only when it is a UCUM expression
// ("g/dL"), else it stays under the set's own name ("MG/DL" in ISO+).
std::string units_system(const MapSpec& spec, std::string_view name, std::string_view code) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != "ISO+" && upper != "ANS+") return coding_system(spec, name);
  if (fhir::fhirpath::is_ucum_unit(code)) return "http://unitsofmeasure.org";
  return coding_system(spec, upper);
}

}  // namespace

std::string checked_system(const DatatypeContext& context, const std::string& system, std::string_view code,
                           std::string_view v2_name) {
  if (system.empty() || context.known_code(system, code)) return system;
  const Vocabulary* systems = context.spec().vocabulary("coding-systems");
  std::string name(v2_name);
  if (name.empty()) name = system.substr(system.find_last_of("/:") + 1);
  return from_template(systems && systems->fallback ? &*systems->fallback : nullptr, name);
}

namespace {

Node string_at(const FieldValue& v, size_t i) { return Node::string(v.part(i), v.where(i)); }

Node coding(const FieldValue& v, size_t first, const DatatypeContext& context) {
  Node c;
  std::string code = v.part(first), system_name = v.part(first + 2);
  if (code.empty()) return c;
  std::string system = checked_system(context, coding_system(context.spec(), system_name), code, system_name);
  c.set("system", Node::string(system, v.where(first + 2)));
  // Its coding system's version: CWE-7 for the identifier, CWE-8 for the alternate one, CWE-13 for the second alternate.
  if (size_t version = first == 1 ? 7 : first == 4 ? 8 : first == 10 ? 13 : 0) c.set("version", string_at(v, version));
  c.set("code", string_at(v, first));
  // A code system we hold has its own display; the sender's text stays in CodeableConcept.text.
  std::string official = context.code_display(system, code).value_or(std::string());
  c.set("display", official.empty() ? string_at(v, first + 1) : Node::string(official));
  return c;
}

Node codeable_concept(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  const MapSpec& spec = context.spec();
  Node cc;
  if (!rule.table.empty()) {
    const Vocabulary& vocabulary = *spec.vocabulary(rule.table);
    // The sender's text when it names a listed code, else the code: a code may mean one
    // thing in one code set and another in the next ("01^Self" is UB-82's self, X12's
    // spouse), the words do not.
    const VocabularyEntry* e = v.part(2).empty() ? nullptr : vocabulary.listed(v.part(2));
    if (!e) e = vocabulary.listed(v.part(1));
    size_t at = 1;  // else the alternate code (CWE-4), a local code's standard one ("NH^^L^2186-5^^CDCREC")
    if (!e && !v.part(4).empty() && (e = vocabulary.listed(v.part(4)))) at = 4;
    if (!e) e = lookup(vocabulary, v.part(1));
    // A table that only names the system keeps the code (under a local system when not in it).
    VocabularyEntry kept{v.part(1), checked_system(context, vocabulary.system, v.part(1), rule.table), {}};
    // ... unless CWE-3 names another system: a route given in NCIt stays an NCIt code.
    std::string sender = v.part(3);
    bool sender_system = sender.empty() || coding_system(spec, sender) == vocabulary.system;
    if (!e && vocabulary.entries.empty() && !vocabulary.system.empty() && sender_system) e = &kept;
    if (e && !v.part(at).empty()) {
      Node c;
      c.set("system", Node::string(e->system));
      c.set("code", Node::string(e->code, v.where(at)));
      std::string official = context.code_display(e->system, e->code).value_or(std::string());
      c.set("display", Node::string(!official.empty() ? official : e->display.empty() ? v.part(2) : e->display));
      cc.append("coding", std::move(c));
      // The sender's other code (CWE-1 or CWE-4) beside it, and its original text (CWE-9).
      if (Node other = coding(v, at == 1 ? 4 : 1, context); !other.empty() && other.text_of("code") != e->code)
        cc.append("coding", std::move(other));
      cc.set("text", !v.part(9).empty() ? string_at(v, 9) : string_at(v, 2));
      return cc;
    }
    if (vocabulary.closed && !v.empty()) {
      context.warn(v.where(), "'" + v.joined(1, "^") + "' is not a code table " + rule.table +
                                  " lists, and the FHIR element takes no other: it was left out");
      return cc;
    }
  }
  cc.append("coding", coding(v, 1, context));
  cc.append("coding", coding(v, 4, context));
  std::string text = v.part(9);
  if (text.empty() && !v.part(2).empty()) {
    const Node* codings = cc.member("coding");
    if (codings && !codings->children.empty() && codings->children.front().text_of("display") != v.part(2)) text = v.part(2);
  }
  if (text.empty() && v.part(1).empty()) text = v.part(2).empty() ? v.part(5) : v.part(2);
  cc.set("text", Node::string(text, v.where(9)));
  return cc;
}

// A CWE where senders also write free words (a reaction: "Hives"): coded when it names a
// code system or has a code with its text, else only its words, never a code of no system.
Node coded_or_words(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  if (!v.part(2).empty() || !v.part(3).empty() || !v.part(5).empty()) return codeable_concept(rule, v, context);
  Node cc;
  cc.set("text", Node::string(v.part(1), v.where(1)));
  return cc;
}

// CX-5 or XCN-13, the identifier type code (table 0203), as an Identifier.type: a code the table has
// as its coding, another as text.
Node identifier_type(const FieldValue& v, size_t component, DatatypeContext& context) {
  Node type;
  if (context.known_code("http://terminology.hl7.org/CodeSystem/v2-0203", v.part(component))) {
    Node c;
    c.set("system", Node::string("http://terminology.hl7.org/CodeSystem/v2-0203"));
    c.set("code", string_at(v, component));
    type.append("coding", std::move(c));
  } else {
    type.set("text", string_at(v, component));
  }
  return type;
}

Node identifier(const FieldValue& v, DatatypeContext& context, bool cx) {
  const MapSpec& spec = context.spec();
  Node id;
  std::string value = v.part(1);
  if (value.empty()) return id;
  if (cx) {
    FieldValue hd = v.sub(4);
    id.set("system", Node::string(authority_system(hd, spec), v.where(4)));
    if (!v.part(5).empty()) id.set("type", identifier_type(v, 5, context));  // not a code of the table: as text
    id.set("period", period(v, context, 7, 8, true));
    Node assigner;
    assigner.set("display", Node::string(hd.part(1), v.where(4)));
    id.set("assigner", std::move(assigner));
  } else {
    // EI: entity identifier, then the authority's namespace id, universal id and its type, as
    // an HD's: an authority the registry names (1234^NPI) is in its system wherever it is sent.
    id.set("system", Node::string(authority_system(v.part(2), v.part(3), v.part(4), spec), v.where(2)));
  }
  id.set("value", Node::string(value, v.where(1)));
  return id;
}

Node human_name(const Rule& rule, const FieldValue& v, DatatypeContext& context, size_t first) {
  // XPN starts at component 1, XCN's name at component 2.
  Node name;
  name.set("family", Node::string(v.sub(first).part(1), v.where(first)));
  name.append("given", string_at(v, first + 1));
  name.append("given", string_at(v, first + 2));
  name.append("suffix", string_at(v, first + 3));
  name.append("prefix", string_at(v, first + 4));
  name.append("suffix", string_at(v, first + 5));
  if (first == 1 && !v.part(7).empty()) {
    if (const Vocabulary* uses = context.spec().vocabulary(rule.table.empty() ? "name-use" : rule.table))
      if (const VocabularyEntry* e = lookup(*uses, v.part(7))) name.set("use", Node::string(e->code, v.where(7)));
  }
  if (first == 1) {  // the IG's XPN.12 and .13 (effective, expiration), else XPN.10's range; XPN.14 a suffix
    Node dates = period(v, context, 12, 13);
    name.set("period", dates.empty() ? period(v.sub(10), context) : std::move(dates));
    name.append("suffix", string_at(v, 14));
  }
  return name;
}

Node address(const FieldValue& v, DatatypeContext& context) {
  Node a;
  for (size_t s = 1; s <= 3; ++s) a.append("line", Node::string(v.sub(1).part(s), v.where(1)));  // the IG's line[1-3]
  for (size_t f : {2, 19}) a.append("line", string_at(v, f));  // other designation, addressee: line[4], line[5]
  a.set("city", string_at(v, 3));
  a.set("state", string_at(v, 4));
  a.set("postalCode", string_at(v, 5));
  a.set("country", string_at(v, 6));
  a.set("district", Node::string(v.sub(9).part(1).empty() ? v.sub(9).part(2) : v.sub(9).part(1), v.where(9)));  // a code, or its text
  Node dates = period(v, context, 13, 14);  // the effective and expiration dates (2.5+)
  a.set("period", dates.empty() ? period(v.sub(12), context) : std::move(dates));  // else 2.3's validity range
  if (std::string type = v.part(7); !type.empty()) {
    if (const Vocabulary* uses = context.spec().vocabulary("address-use"))
      if (const VocabularyEntry* e = lookup(*uses, type)) {
        // Entries are "use" codes, or "type:postal" for the address's type.
        if (e->code.rfind("type:", 0) == 0) a.set("type", Node::string(e->code.substr(5), v.where(7)));
        else a.set("use", Node::string(e->code, v.where(7)));
      }
  }
  return a;
}

Node contact_point(const FieldValue& v, DatatypeContext& context) {
  Node t;
  std::string equipment = v.part(3), use = v.part(2);
  std::string system = "phone";
  if (const Vocabulary* systems = context.spec().vocabulary("telecom-system"); systems && !equipment.empty())
    if (const VocabularyEntry* e = lookup(*systems, equipment)) system = e->code;
  // The IG's XTN map: an email's address (XTN.4), else the unformatted number (XTN.12, 2.5+), else XTN.1.
  std::string value = system == "email" && !v.part(4).empty() ? v.part(4) : !v.part(12).empty() ? v.part(12) : v.part(1);
  if (value.empty() && !v.part(7).empty()) {
    value = v.part(6).empty() ? v.part(7) : "(" + v.part(6) + ")" + v.part(7);
    if (!v.part(5).empty()) value = "+" + v.part(5) + " " + value;
    if (!v.part(8).empty()) value += " x" + v.part(8);
  }
  if (value.empty() && !v.part(4).empty()) {
    value = v.part(4);
    system = "email";
  }
  t.set("system", Node::string(system, v.where(3)));
  t.set("value", Node::string(value, v.where(1)));
  t.set("period", period(v, context, 13, 14));  // its effective and expiration dates (2.5+)
  if (std::string rank = v.part(18); !rank.empty() && rank.find_first_not_of("0123456789") == std::string::npos && rank.size() < 9 &&
                                     std::stoi(rank) > 0)
    t.set("rank", Node::number(rank, v.where(18)));  // the IG's XTN.18: its order of preference
  if (const Vocabulary* uses = context.spec().vocabulary("telecom-use"); uses && !use.empty())
    if (const VocabularyEntry* e = lookup(*uses, use)) t.set("use", Node::string(e->code, v.where(2)));
  if (equipment == "CP") t.set("use", Node::string("mobile", v.where(3)));
  if (t.text_of("value").empty()) return {};
  if (!v.part(8).empty()) {  // the IG's XTN.8: the extension, also of a number sent whole in XTN.1
    Node extension;
    extension.set("url", Node::string("http://hl7.org/fhir/StructureDefinition/contactpoint-extension"));
    extension.set("valueString", Node::string(v.part(8), v.where(8)));
    t.append("extension", std::move(extension));
  }
  return t;
}

Node reference(const std::string& url) {
  Node r;
  if (!url.empty()) r.set("reference", Node::string(url));
  return r;
}

Node practitioner(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  Node p;
  Node id;
  id.set("system", Node::string(authority_system(v.sub(9), context.spec()), v.where(9)));
  // No authority, but a type that is one (Cerner's ...^^^^NPI): its system, as with NPI as authority.
  const Vocabulary* authorities = context.spec().vocabulary("identifier-authorities");
  if (v.sub(9).empty() && authorities && !v.part(13).empty())
    if (auto it = authorities->entries.find(v.part(13)); it != authorities->entries.end())
      id.set("system", Node::string(it->second.code, v.where(13)));
  if (!v.part(13).empty()) id.set("type", identifier_type(v, 13, context));
  id.set("value", string_at(v, 1));
  if (!id.text_of("value").empty()) p.append("identifier", std::move(id));
  Node name = human_name(rule, v, context, 2);
  p.append("name", std::move(name));
  if (p.empty()) return {};
  p.source = v.where();
  return reference(context.shared_resource("Practitioner", std::move(p)));
}

// NDL (OBR-32 to OBR-35: an interpreter, assistant, technician, transcriptionist): its first
// component a CNN whose sub-components are the ID, the name's parts from family to degree, and
// the assigning authority (namespace, universal ID and its type).
Node ndl_practitioner(const FieldValue& v, DatatypeContext& context) {
  FieldValue cnn = v.sub(1);
  Node p;
  Node id;
  id.set("system", Node::string(authority_system(cnn.part(9), cnn.part(10), cnn.part(11), context.spec()), v.where(1)));
  id.set("value", string_at(cnn, 1));
  if (!id.text_of("value").empty()) p.append("identifier", std::move(id));
  Node name;
  name.set("family", string_at(cnn, 2));
  name.append("given", string_at(cnn, 3));
  name.append("given", string_at(cnn, 4));
  name.append("suffix", string_at(cnn, 5));
  name.append("prefix", string_at(cnn, 6));
  name.append("suffix", string_at(cnn, 7));
  p.append("name", std::move(name));
  if (p.empty()) return {};
  p.source = v.where();
  return reference(context.shared_resource("Practitioner", std::move(p)));
}

// A CWE that names an organization (OBX-15, the producer's ID): its code the identifier, in
// the code system CWE-3 names; its text the name (the IG's CWE[Organization]).
Node coded_organization(const FieldValue& v, DatatypeContext& context) {
  Node o;
  o.set("name", string_at(v, 2));
  Node id;
  id.set("system", Node::string(v.part(3).empty() ? std::string() : coding_system(context.spec(), v.part(3)), v.where(3)));
  id.set("value", string_at(v, 1));
  if (!id.text_of("value").empty()) o.append("identifier", std::move(id));
  if (o.empty()) return {};
  o.source = v.where();
  return reference(context.shared_resource("Organization", std::move(o)));
}

Node organization(const FieldValue& v, DatatypeContext& context, bool hd) {
  Node o;
  if (hd) {
    Node id;
    std::string universal = v.part(2);
    id.set("system", Node::string(universal.empty() ? std::string() : authority_system(v, context.spec())));
    id.set("value", Node::string(universal.empty() ? v.part(1) : universal, v.where(1)));
    o.append("identifier", std::move(id));
    o.set("name", string_at(v, 1));
  } else {
    o.set("name", string_at(v, 1));
    std::string value = v.part(10).empty() ? v.part(3) : v.part(10);
    Node id;
    id.set("system", Node::string(authority_system(v.sub(6), context.spec()), v.where(6)));
    id.set("value", Node::string(value, v.where(v.part(10).empty() ? 3 : 10)));
    if (!value.empty()) o.append("identifier", std::move(id));
  }
  if (o.empty()) return {};
  o.source = v.where();
  return reference(context.shared_resource("Organization", std::move(o)));
}

Node location(const FieldValue& v, DatatypeContext& context) {
  Node l;
  std::string name;
  for (size_t i : {1, 2, 3}) {
    std::string p = v.sub(i).part(1);
    if (p.empty()) continue;
    if (!name.empty()) name += " ";
    name += p;
  }
  std::string facility = v.sub(4).part(1);
  if (name.empty()) name = facility.empty() ? v.part(9) : facility;
  else if (!facility.empty()) l.set("description", Node::string(facility, v.where(4)));
  if (name.empty()) return {};
  l.set("name", Node::string(name, v.where(1)));
  l.set("mode", Node::string("instance"));
  l.source = v.where();
  return reference(context.shared_resource("Location", std::move(l)));
}

}  // namespace

// OBX-5 by its value type (OBX-2), per the IG's OBX[Observation] map.
Node quantity(const FieldValue& value, size_t value_part, const FieldValue* units, const MapSpec& spec) {
  return quantity_of(fhir_decimal(value.part(value_part)), value.where(value_part), units, spec);
}

Node quantity_of(const std::string& decimal, const std::string& where, const FieldValue* units, const MapSpec& spec) {
  Node q;
  q.set("value", Node::number(decimal, where));
  if (q.empty()) return {};
  if (units && !units->empty()) {
    std::string code = units->part(1), unit = units->part(2).empty() ? code : units->part(2);
    std::string system = units_system(spec, units->part(3), code);
    q.set("unit", Node::string(unit, units->where(2)));
    if (!system.empty()) {  // units with no named system are only a display (not claimed as UCUM)
      q.set("system", Node::string(system));
      q.set("code", Node::string(code, units->where(1)));
    }
  }
  return q;
}

Node observation_value(const Rule& rule, const FieldValue& v, DatatypeContext& context, std::string& suffix);

// quantity(), saying at its place a number that is none ("one", "0.3mL"), which is left out.
Node said_quantity(const FieldValue& value, size_t value_part, const FieldValue* units, DatatypeContext& context) {
  std::string text = value.part(value_part);
  if (!text.empty() && fhir_decimal(text).empty())
    context.warn(value.where(value_part), "'" + text + "' is not a number and was left out");
  return quantity(value, value_part, units, context.spec());
}

Node attachment(const Rule& rule, const FieldValue& v);  // attachment.cpp
Node reference_range(const Rule& rule, const FieldValue& v, const MapSpec& spec);
Node minutes(const Rule& rule, const FieldValue& v, DatatypeContext& context);

namespace {

// A code through the rule's table (a table with no map keeps the code); empty when not there.
Node coded(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  std::string code = v.text();
  if (code.empty()) return {};
  if (rule.table.empty()) return Node::string(code, v.where());
  const Vocabulary& vocabulary = *context.spec().vocabulary(rule.table);
  const VocabularyEntry* e = lookup(vocabulary, code);
  if (!e && vocabulary.entries.empty()) return Node::string(code, v.where());
  std::string unlisted = "the code '" + code + "' is not in table " + rule.table;
  if (!e) context.warn(v.where(), unlisted + " and was left out");
  else if (!vocabulary.listed(code)) context.warn(v.where(), unlisted + ": taken as '" + e->code + "'");  // the table's default
  return e ? Node::string(e->code, v.where()) : Node{};
}

Node boolean(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  Node code = coded(rule, v, context);
  if (code.text == "true" || code.text == "Y") return Node::boolean(true, v.where());
  if (code.text == "false" || code.text == "N") return Node::boolean(false, v.where());
  return {};
}

Node moment(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  // "dateTimeWithTime": only a moment that has a time of day (PID-7's birthTime, v2-to-FHIR:
  // "IF PID-7 LENGTH GREATER THAN 8"); a date alone is the birthDate's.
  bool with_time = rule.as == "dateTimeWithTime";
  if (with_time && v.text().size() <= 10) return {};
  std::string out = moment_text(v.text(), v.where(), context, rule.as == "date");
  if (with_time && out.size() <= 10) out.clear();
  if (rule.as == "instant" && out.size() == 10) out += "T00:00:00" + context.timezone;
  if (rule.as == "instant" && out.size() < 10) out.clear();
  return Node::string(out, v.where());
}

Node decimal(const FieldValue& v, DatatypeContext& context) {
  std::string text = v.text(), out = fhir_decimal(text);
  if (!text.empty() && out.empty()) context.warn(v.where(), "'" + text + "' is not a number and was left out");
  return Node::number(out, v.where());
}

Node whole_number(const Rule& rule, const FieldValue& v) {
  std::string text = v.text();
  if (!digits(text) || text.size() > 9 || (rule.as == "positiveInt" && number(text) == 0)) return {};
  return Node::number(std::to_string(number(text)), v.where());
}

Node first_coding(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  Node cc = codeable_concept(rule, v, context);
  Node* codings = cc.member("coding");
  return codings && !codings->children.empty() ? codings->children.front() : Node{};
}

// A drug as the IG maps it: a Medication whose code is the CWE (one per code), referenced.
Node medication(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  Node code = codeable_concept(rule, v, context);
  if (code.empty()) return {};
  Node m;
  m.set("code", std::move(code));
  m.source = v.where();
  Node r;
  r.set("reference", Node::string(context.shared_resource("Medication", std::move(m))));
  return r;
}

Node money(const FieldValue& v) {
  Node m;
  m.set("value", Node::number(fhir_decimal(v.part(1)), v.where(1)));
  m.set("currency", string_at(v, 2));
  return m.member("value") ? m : Node{};
}

// A dose from a minimum (the field) and a maximum (the rule's `high`), both in the rule's
// `unit`: a Range when the maximum is another amount, else the one Quantity.
Node dose(const Rule& rule, const FieldValue& v, DatatypeContext& context, std::string& suffix) {
  std::optional<FieldValue> units = unit_field(rule, v);
  Node low = said_quantity(v, 1, units ? &*units : nullptr, context);
  std::optional<FieldValue> most;
  if (rule.high) most = FieldValue{v.message, v.segment, rule.high->field, 1, 0};
  Node high = most ? said_quantity(*most, 1, units ? &*units : nullptr, context) : Node{};
  if (low.empty() || high.empty() || low.text_of("value") == high.text_of("value")) {
    suffix = "Quantity";
    return low.empty() ? high : low;
  }
  suffix = "Range";
  Node range;
  range.set("low", std::move(low));
  range.set("high", std::move(high));
  return range;
}

using DatatypeMap = Node (*)(const Rule&, const FieldValue&, DatatypeContext&, std::string& suffix);

// The datatype maps by the name a rule's "as" gives.
const std::unordered_map<std::string_view, DatatypeMap>& datatype_maps() {
  using R = const Rule&;
  using V = const FieldValue&;
  using C = DatatypeContext&;
  using S = std::string&;
  static const std::unordered_map<std::string_view, DatatypeMap> maps = {
      {"", [](R, V v, C, S) { return Node::string(v.text(), v.where()); }},
      {"string", [](R, V v, C, S) { return Node::string(v.text(), v.where()); }},
      {"text", [](R, V v, C, S) { return Node::string(v.joined(1, " "), v.where()); }},
      {"code", [](R r, V v, C c, S) { return coded(r, v, c); }},
      {"boolean", [](R r, V v, C c, S) { return boolean(r, v, c); }},
      {"date", [](R r, V v, C c, S) { return moment(r, v, c); }},
      {"dateTime", [](R r, V v, C c, S) { return moment(r, v, c); }},
      {"instant", [](R r, V v, C c, S) { return moment(r, v, c); }},
      {"dateTimeWithTime", [](R r, V v, C c, S) { return moment(r, v, c); }},
      {"decimal", [](R, V v, C c, S) { return decimal(v, c); }},
      {"integer", [](R r, V v, C, S) { return whole_number(r, v); }},
      {"positiveInt", [](R r, V v, C, S) { return whole_number(r, v); }},
      {"unsignedInt", [](R r, V v, C, S) { return whole_number(r, v); }},
      {"CWE", [](R r, V v, C c, S) { return codeable_concept(r, v, c); }},
      {"CE", [](R r, V v, C c, S) { return codeable_concept(r, v, c); }},
      {"CNE", [](R r, V v, C c, S) { return codeable_concept(r, v, c); }},
      {"Coding", [](R r, V v, C c, S) { return first_coding(r, v, c); }},
      {"Medication", [](R r, V v, C c, S) { return medication(r, v, c); }},
      {"CWE-or-text", [](R r, V v, C c, S) { return coded_or_words(r, v, c); }},
      {"CWE-text", [](R, V v, C, S) {
         return Node::string(!v.part(2).empty() ? v.part(2) : !v.part(9).empty() ? v.part(9) : v.part(1), v.where());
       }},
      {"CX", [](R, V v, C c, S) { return identifier(v, c, true); }},
      {"EI", [](R, V v, C c, S) { return identifier(v, c, false); }},
      {"XPN", [](R r, V v, C c, S) { return human_name(r, v, c, 1); }},
      {"XAD", [](R, V v, C c, S) { return address(v, c); }},
      {"XTN", [](R, V v, C c, S) { return contact_point(v, c); }},
      {"XCN", [](R r, V v, C c, S) { return practitioner(r, v, c); }},
      {"NDL", [](R, V v, C c, S) { return ndl_practitioner(v, c); }},
      {"CWE-organization", [](R, V v, C c, S) { return coded_organization(v, c); }},
      {"XON", [](R, V v, C c, S) { return organization(v, c, false); }},
      {"HD", [](R, V v, C c, S) { return organization(v, c, true); }},
      {"PL", [](R, V v, C c, S) { return location(v, c); }},
      {"CQ", [](R, V v, C c, S) {
         FieldValue units = v.sub(2);
         return said_quantity(v, 1, &units, c);
       }},
      {"Quantity", [](R r, V v, C c, S) {  // a number, its units in the rule's `unit` field (RXA-6 and RXA-7)
         std::optional<FieldValue> units = unit_field(r, v);
         return said_quantity(v, 1, units ? &*units : nullptr, c);
       }},
      {"dose", [](R r, V v, C c, S suffix) { return dose(r, v, c, suffix); }},
      {"minutes", [](R r, V v, C c, S) { return minutes(r, v, c); }},
      {"MO", [](R, V v, C, S) { return money(v); }},
      {"DR", [](R, V v, C c, S) { return period(v, c); }},
      {"base64", [](R, V v, C, S) { return Node::string(fhir::io::base64_encode(v.joined(1, "^")), v.where()); }},
      {"varies", [](R r, V v, C c, S suffix) { return observation_value(r, v, c, suffix); }},
      {"reference-range", [](R r, V v, C c, S) { return reference_range(r, v, c.spec()); }},
      {"attachment", [](R r, V v, C, S) { return attachment(r, v); }},
  };
  return maps;
}

}  // namespace

std::optional<FieldValue> unit_field(const Rule& rule, const FieldValue& value) {
  if (!rule.unit) return std::nullopt;
  return FieldValue{value.message, value.segment, rule.unit->field, 1, 0};
}

bool known_datatype_map(std::string_view name) { return datatype_maps().count(name) != 0; }

Node convert(const Rule& rule, const FieldValue& v, DatatypeContext& context, std::string& suffix) {
  const auto& maps = datatype_maps();
  auto map = maps.find(rule.as);
  if (map == maps.end()) {
    context.warn(v.where(), "the mapping names an unknown datatype map '" + rule.as + "'");
    return {};
  }
  return map->second(rule, v, context, suffix);
}

}  // namespace carebridge::mappings::hl7v2
