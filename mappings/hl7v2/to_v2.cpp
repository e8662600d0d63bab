#include "mappings/hl7v2/to_v2.h"

#include "mappings/hl7v2/er7.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <functional>
#include <map>

namespace carebridge::mappings::hl7v2 {

using fhir::model::Element;

namespace {

const Element* child(const Element* e, std::string_view name) { return e ? e->child(name) : nullptr; }

std::vector<const Element*> children(const Element* e, std::string_view name) {
  std::vector<const Element*> out;
  if (!e) return out;
  for (const Element* c : e->children())
    if (c->base_name() == name) out.push_back(c);
  return out;
}

// The primitive value at a dotted path (first item of each step), "" when absent.
std::string value(const Element* e, std::string_view path) {
  while (e && !path.empty()) {
    size_t dot = path.find('.');
    e = child(e, path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return e && e->has_value ? std::string(e->value) : std::string();
}

std::string esc(std::string_view text) { return escape(text); }

// Joins components, dropping empty trailing ones.
std::string join(std::vector<std::string> parts, char separator) {
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

std::string v2_time(std::string_view fhir) {
  std::string out;
  size_t i = 0;
  for (; i < fhir.size() && fhir[i] != '+' && fhir[i] != 'Z' && !(fhir[i] == '-' && i >= 10); ++i)
    if (std::isdigit(static_cast<unsigned char>(fhir[i])) || fhir[i] == '.') out += fhir[i];
  if (i < fhir.size()) {
    if (fhir[i] == 'Z') out += "+0000";
    else
      for (; i < fhir.size(); ++i)
        if (fhir[i] != ':') out += fhir[i];
  }
  return out;
}

const std::pair<const char*, const char*> kSystems[] = {
    {"http://loinc.org", "LN"}, {"http://snomed.info/sct", "SCT"}, {"http://unitsofmeasure.org", "UCUM"},
    {"http://hl7.org/fhir/sid/icd-10-cm", "I10"}, {"http://hl7.org/fhir/sid/icd-9-cm", "I9CDX"},
    {"http://hl7.org/fhir/sid/cvx", "CVX"}, {"http://hl7.org/fhir/sid/ndc", "NDC"},
    {"http://www.nlm.nih.gov/research/umls/rxnorm", "RXNORM"}, {"http://www.ama-assn.org/go/cpt", "C4"},
};

// The v2 name of a FHIR code system (table 0396), the reverse of the coding-systems map.
std::string system_name(std::string_view system) {
  for (const auto& [url, name] : kSystems)
    if (system == url) return name;
  for (std::string_view prefix : {"http://terminology.hl7.org/CodeSystem/v2-"})
    if (system.starts_with(prefix)) return "HL7" + std::string(system.substr(prefix.size()));
  for (std::string_view prefix : {"urn:carebridge:v2:coding-system:", "urn:carebridge:v2:assigning-authority:"})
    if (system.starts_with(prefix)) return std::string(system.substr(prefix.size()));
  if (system.starts_with("urn:oid:")) return std::string(system.substr(8));
  return std::string(system);
}

std::string cwe(const Element* cc) {
  if (!cc) return {};
  auto codings = children(cc, "coding");
  std::vector<std::string> parts(9);
  for (size_t i = 0; i < codings.size() && i < 2; ++i) {
    parts[i * 3] = esc(value(codings[i], "code"));
    parts[i * 3 + 1] = esc(value(codings[i], "display"));
    parts[i * 3 + 2] = esc(system_name(value(codings[i], "system")));
  }
  if (!codings.empty()) parts[6] = esc(value(codings[0], "version"));
  std::string text = value(cc, "text");
  if (codings.empty()) parts[1] = esc(text);
  else if (text != value(codings[0], "display")) parts[8] = esc(text);
  return join(parts, '^');
}

std::string hd_of_system(std::string_view system, char separator) {
  if (system.empty()) return {};
  if (system.starts_with("urn:oid:")) return join({"", std::string(system.substr(8)), "ISO"}, separator);
  if (system.starts_with("urn:carebridge:v2:assigning-authority:")) return esc(system.substr(38));
  return join({"", esc(system), "URI"}, separator);
}

std::string cx(const Element* id) {
  std::string authority = hd_of_system(value(id, "system"), '&');
  std::string name = esc(value(id, "assigner.display"));
  if (authority.empty()) authority = name;
  else if (authority.front() == '&') authority = name + authority;  // namespace&OID&ISO
  std::string type;
  for (const Element* c : children(child(id, "type"), "coding")) type = esc(value(c, "code"));
  return join({esc(value(id, "value")), "", "", authority, type}, '^');
}

std::string ei(const Element* id) {
  std::string system = value(id, "system");
  std::string ns = system.starts_with("urn:carebridge:v2:assigning-authority:") ? system.substr(38) : std::string();
  if (!ns.empty() || system.empty()) return join({esc(value(id, "value")), esc(ns)}, '^');
  std::string oid = system.starts_with("urn:oid:") ? system.substr(8) : system;
  return join({esc(value(id, "value")), "", esc(oid), system.starts_with("urn:oid:") ? "ISO" : "URI"}, '^');
}

std::string repeat(const std::vector<const Element*>& items, std::string (*field)(const Element*)) {
  std::vector<std::string> out;
  for (const Element* e : items)
    if (std::string f = field(e); !f.empty()) out.push_back(f);
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) joined += (i ? "~" : "") + out[i];
  return joined;
}

std::string xpn(const Element* name) {
  auto given = children(name, "given");
  std::string use = value(name, "use");
  static const std::map<std::string, std::string, std::less<>> uses = {
      {"official", "L"}, {"usual", "D"}, {"maiden", "M"}, {"nickname", "N"}, {"old", "B"}, {"anonymous", "S"}, {"temp", "NB"}};
  auto u = uses.find(use);
  return join({esc(value(name, "family")), given.size() > 0 ? esc(given[0]->value) : "", given.size() > 1 ? esc(given[1]->value) : "",
               esc(value(name, "suffix")), esc(value(name, "prefix")), "", u == uses.end() ? "" : u->second},
              '^');
}

std::string xad(const Element* a) {
  auto lines = children(a, "line");
  std::string use = value(a, "use");
  std::string type = use == "home" ? "H" : use == "work" ? "B" : use == "temp" ? "C" : use == "old" ? "BA" : value(a, "type") == "postal" ? "M" : "";
  return join({lines.size() > 0 ? esc(lines[0]->value) : "", lines.size() > 1 ? esc(lines[1]->value) : "", esc(value(a, "city")),
               esc(value(a, "state")), esc(value(a, "postalCode")), esc(value(a, "country")), type, "", esc(value(a, "district"))},
              '^');
}

std::string xtn(const Element* t) {
  std::string system = value(t, "system"), use = value(t, "use");
  std::string equipment = system == "email" ? "Internet" : system == "fax" ? "FX" : system == "pager" ? "BP" : use == "mobile" ? "CP" : "PH";
  std::string v2_use = use == "work" ? "WPN" : use == "temp" ? "VHN" : system == "email" ? "NET" : "PRN";
  if (system == "email") return join({"", v2_use, equipment, esc(value(t, "value"))}, '^');
  return join({esc(value(t, "value")), v2_use, equipment}, '^');
}

std::string new_control_id() {
  static std::atomic<unsigned> counter{0};
  return "CB" + v2_now().substr(0, 14) + std::to_string(counter.fetch_add(1) % 100000);
}

std::string msh(const ToV2Options& o, const char* type) {
  return "MSH|^~\\&|" + esc(o.sending_application) + "|" + esc(o.sending_facility) + "|" + esc(o.receiving_application) + "|" +
         esc(o.receiving_facility) + "|" + v2_now() + "||" + type + "|" + esc(o.control_id.empty() ? new_control_id() : o.control_id) +
         "|" + esc(o.processing_id) + "|2.5.1|||AL|NE||UNICODE UTF-8\r";
}

std::string pid(const Element* patient) {
  static const std::map<std::string, std::string, std::less<>> sexes = {{"female", "F"}, {"male", "M"}, {"other", "O"}, {"unknown", "U"}};
  std::string gender = value(patient, "gender");
  auto sex = sexes.find(gender);
  std::vector<const Element*> ids;
  std::string ssn;
  for (const Element* id : children(patient, "identifier")) {
    if (value(id, "system") == "http://hl7.org/fhir/sid/us-ssn") ssn = esc(value(id, "value"));
    else ids.push_back(id);
  }
  std::string mmn;
  for (const Element* ext : children(patient, "extension"))
    if (value(ext, "url") == "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName") mmn = esc(value(ext, "value"));
  std::vector<const Element*> home, work;
  for (const Element* t : children(patient, "telecom")) (value(t, "use") == "work" ? work : home).push_back(t);
  std::vector<std::string> f(31);
  f[1] = "1";
  f[3] = repeat(ids, cx);
  f[5] = repeat(children(patient, "name"), xpn);
  f[6] = mmn;
  f[7] = v2_time(value(patient, "birthDate"));
  f[8] = sex == sexes.end() ? "" : sex->second;
  f[11] = repeat(children(patient, "address"), xad);
  f[13] = repeat(home, xtn);
  f[14] = repeat(work, xtn);
  f[19] = ssn;
  if (const Element* deceased = child(patient, "deceased"); deceased && deceased->type == "dateTime") f[29] = v2_time(deceased->value);
  return "PID" + join(f, '|').substr(0) + "\r";
}

}  // namespace
}  // namespace carebridge::mappings::hl7v2

namespace carebridge::mappings::hl7v2 {
namespace {

std::string reverse(std::string_view code, std::initializer_list<std::pair<const char*, const char*>> table) {
  for (const auto& [fhir, v2] : table)
    if (code == fhir) return v2;
  return {};
}

std::string quantity_units(const Element* q) {
  std::string code = value(q, "code"), unit = value(q, "unit");
  if (code.empty() && unit.empty()) return {};
  std::string system = value(q, "system");
  return join({esc(code.empty() ? unit : code), esc(unit), system.empty() ? "" : esc(system_name(system))}, '^');
}

// OBX-2, OBX-5 and OBX-6 for an Observation's value.
void observation_value(const Element* obs, std::vector<std::string>& f) {
  const Element* v = child(obs, "value");
  if (!v) return;
  std::string_view type = v->type;
  if (type == "Quantity") {
    std::string comparator = value(v, "comparator");
    f[2] = comparator.empty() ? "NM" : "SN";
    f[5] = comparator.empty() ? value(v, "value") : esc(comparator) + "^" + value(v, "value");
    f[6] = quantity_units(v);
  } else if (type == "CodeableConcept") {
    f[2] = "CWE";
    f[5] = cwe(v);
  } else if (type == "Range") {
    f[2] = "SN";
    f[5] = "^" + value(v, "low.value") + "^-^" + value(v, "high.value");
    f[6] = quantity_units(child(v, "low"));
  } else if (type == "Ratio") {
    f[2] = "SN";
    f[5] = "^" + value(v, "numerator.value") + "^:^" + value(v, "denominator.value");
  } else if (type == "dateTime") {
    f[2] = "DTM";
    f[5] = v2_time(v->value);
  } else if (type == "time") {
    f[2] = "TM";
    std::string t;
    for (char c : v->value) if (c != ':') t += c;
    f[5] = t;
  } else if (type == "string") {
    std::string_view text = v->value;
    f[2] = text.find('\n') != std::string_view::npos ? "TX" : "ST";
    f[5] = esc(text);
  } else if (type == "boolean") {
    f[2] = "ST";
    f[5] = std::string(v->value);
  }
}

std::string obx(const Element* obs, size_t set_id) {
  std::vector<std::string> f(20);
  f[1] = std::to_string(set_id);
  f[3] = cwe(child(obs, "code"));
  observation_value(obs, f);
  const Element* range = child(obs, "referenceRange");
  f[7] = esc(value(range, "text"));
  if (f[7].empty() && range) {
    std::string low = value(range, "low.value"), high = value(range, "high.value");
    if (!low.empty() || !high.empty()) f[7] = low + "-" + high;
  }
  std::vector<std::string> flags;
  for (const Element* i : children(obs, "interpretation"))
    for (const Element* c : children(i, "coding")) flags.push_back(esc(value(c, "code")));
  for (size_t i = 0; i < flags.size(); ++i) f[8] += (i ? "~" : "") + flags[i];
  f[11] = reverse(value(obs, "status"), {{"final", "F"}, {"corrected", "C"}, {"amended", "A"}, {"preliminary", "P"},
                                         {"registered", "I"}, {"cancelled", "X"}, {"entered-in-error", "W"}});
  f[14] = v2_time(value(obs, "effective"));
  f[19] = v2_time(value(obs, "issued"));
  return "OBX" + join(f, '|') + "\r";
}

// The identifier of `resource` whose type is `type_code` (PLAC, FILL), as an EI.
std::string order_number(const Element* resource, std::string_view type_code) {
  for (const Element* id : children(resource, "identifier"))
    for (const Element* c : children(child(id, "type"), "coding"))
      if (value(c, "code") == type_code) return ei(id);
  return {};
}

std::string obr(const Element* order, const Element* report, const Element* first_observation, size_t set_id) {
  std::vector<std::string> f(26);
  f[1] = std::to_string(set_id);
  f[2] = order_number(report, "PLAC");
  if (f[2].empty()) f[2] = order_number(order, "PLAC");
  f[3] = order_number(report, "FILL");
  if (f[3].empty()) f[3] = order_number(order, "FILL");
  if (f[3].empty() && f[2].empty()) {
    auto ids = children(report, "identifier");
    if (!ids.empty()) f[3] = ei(ids.front());
  }
  f[4] = cwe(child(report ? report : first_observation, "code"));
  f[7] = v2_time(value(report ? report : first_observation, "effective"));
  f[22] = v2_time(value(report, "issued"));
  f[25] = reverse(value(report, "status"), {{"final", "F"}, {"corrected", "C"}, {"amended", "M"}, {"preliminary", "P"},
                                            {"partial", "S"}, {"registered", "I"}, {"cancelled", "X"}, {"appended", "C"}});
  if (!report) f[25] = "F";
  return "OBR" + join(f, '|') + "\r";
}

}  // namespace

std::string oru_r01(const Element* patient, const Element* order, const Element* report,
                    const std::vector<const Element*>& observations, const ToV2Options& options) {
  std::string out = msh(options, "ORU^R01^ORU_R01");
  if (patient) out += pid(patient);
  out += obr(order, report, observations.empty() ? nullptr : observations.front(), 1);
  for (size_t i = 0; i < observations.size(); ++i) out += obx(observations[i], i + 1);
  return out;
}

namespace {

// The resources of a Bundle (or the resource itself), findable by their references.
struct ResourceSet {
  std::vector<const Element*> all;
  std::map<std::string, const Element*, std::less<>> by_reference;  // fullUrl and Type/id

  explicit ResourceSet(const Element& root) {
    if (root.type != "Bundle") {
      add(&root, {});
      return;
    }
    for (const Element* entry : children(&root, "entry")) add(child(entry, "resource"), value(entry, "fullUrl"));
  }
  void add(const Element* r, const std::string& full_url) {
    if (!r) return;
    all.push_back(r);
    if (!full_url.empty()) by_reference[full_url] = r;
    std::string id = value(r, "id");
    if (!id.empty()) by_reference[std::string(r->type) + "/" + id] = r;
  }
  const Element* resolve(const Element* reference) const {
    std::string ref = value(reference, "reference");
    auto it = by_reference.find(ref);
    if (it == by_reference.end() && ref.find("/_history/") != std::string::npos) it = by_reference.find(ref.substr(0, ref.find("/_history/")));
    return it == by_reference.end() ? nullptr : it->second;
  }
  std::vector<const Element*> of_type(std::string_view type) const {
    std::vector<const Element*> out;
    for (const Element* r : all)
      if (r->type == type) out.push_back(r);
    return out;
  }
  // A medication's code: the CodeableConcept, or the referenced Medication's code.
  const Element* medication_code(const Element* r) const {
    const Element* m = child(r, "medication");
    if (m && m->type == "Reference") return child(resolve(m), "code");
    return m;
  }
  const Element* patient_of(const Element* r) const {
    for (const char* name : {"subject", "patient", "beneficiary"})
      if (const Element* p = resolve(child(r, name)); p && p->type == "Patient") return p;
    auto patients = of_type("Patient");
    return patients.empty() ? nullptr : patients.front();
  }
};

std::string orc(const Element* order, const char* control) {
  std::vector<std::string> f(13);
  f[1] = control;
  f[2] = order_number(order, "PLAC");
  f[3] = order_number(order, "FILL");
  std::string status = value(order, "status");
  f[5] = reverse(status, {{"active", "IP"}, {"completed", "CM"}, {"revoked", "CA"}, {"cancelled", "CA"}, {"stopped", "DC"},
                          {"on-hold", "HD"}, {"entered-in-error", "ER"}, {"draft", "SC"}});
  f[9] = v2_time(value(order, "authoredOn"));
  return "ORC" + join(f, '|') + "\r";
}

std::string rde_o11(const ResourceSet& set, const std::vector<const Element*>& requests, const ToV2Options& options) {
  std::string out = msh(options, "RDE^O11^RDE_O11");
  if (const Element* p = set.patient_of(requests.front())) out += pid(p);
  for (const Element* mr : requests) {
    std::string status = value(mr, "status");
    out += orc(mr, status == "cancelled" ? "CA" : status == "stopped" ? "DC" : status == "on-hold" ? "HD" : "NW");
    const Element* dosage = child(mr, "dosageInstruction");
    const Element* dose = child(child(dosage, "doseAndRate"), "dose");
    std::vector<std::string> f(13);
    f[1] = join({"", esc(value(child(dosage, "timing"), "code.text")), "", v2_time(value(dosage, "timing.repeat.boundsPeriod.start"))}, '^');
    f[2] = cwe(set.medication_code(mr));
    f[3] = value(dose, "value");
    f[5] = esc(value(dose, "unit"));
    f[7] = esc(value(dosage, "patientInstruction"));
    f[10] = value(mr, "dispenseRequest.quantity.value");
    f[11] = esc(value(mr, "dispenseRequest.quantity.unit"));
    f[12] = value(mr, "dispenseRequest.numberOfRepeatsAllowed");
    out += "RXE" + join(f, '|') + "\r";
    if (const Element* route = child(dosage, "route")) out += "RXR|" + cwe(route) + "\r";
  }
  return out;
}

std::string orm_o01(const ResourceSet& set, const std::vector<const Element*>& orders, const ToV2Options& options) {
  std::string out = msh(options, "ORM^O01^ORM_O01");
  if (const Element* p = set.patient_of(orders.front())) out += pid(p);
  size_t n = 0;
  for (const Element* sr : orders) {
    std::string status = value(sr, "status");
    out += orc(sr, status == "revoked" ? "CA" : status == "on-hold" ? "HD" : "NW");
    std::vector<std::string> f(5);
    f[1] = std::to_string(++n);
    f[2] = order_number(sr, "PLAC");
    f[3] = order_number(sr, "FILL");
    f[4] = cwe(child(sr, "code"));
    out += "OBR" + join(f, '|') + "\r";
  }
  return out;
}

// One ORU^R01 per report (with the order it answers), and one for results in no report.
std::vector<std::string> oru_for(const ResourceSet& set, const std::function<ToV2Options()>& options) {
  std::vector<std::string> out;
  std::vector<const Element*> reported;
  for (const Element* report : set.of_type("DiagnosticReport")) {
    std::vector<const Element*> results;
    for (const Element* r : children(report, "result"))
      if (const Element* obs = set.resolve(r)) {
        results.push_back(obs);
        reported.push_back(obs);
      }
    const Element* order = set.resolve(child(report, "basedOn"));
    out.push_back(oru_r01(set.patient_of(report), order, report, results, options()));
  }
  std::vector<const Element*> loose;
  for (const Element* obs : set.of_type("Observation"))
    if (std::find(reported.begin(), reported.end(), obs) == reported.end()) loose.push_back(obs);
  if (!loose.empty()) out.push_back(oru_r01(set.patient_of(loose.front()), nullptr, nullptr, loose, options()));
  return out;
}

}  // namespace

carebridge::Result<std::vector<std::string>> to_v2(const Element& resource, const ToV2Options& options) {
  ResourceSet set(resource);
  std::vector<std::string> messages;
  size_t made = 0;
  std::function<ToV2Options()> next_options = [&]() {  // each message its own control id
    ToV2Options each = options;
    if (!options.control_id.empty() && made > 0) each.control_id = options.control_id + "-" + std::to_string(made + 1);
    ++made;
    return each;
  };
  // Results (with the orders they answer), medication orders, else service orders, else the patients.
  bool results = !set.of_type("DiagnosticReport").empty() || !set.of_type("Observation").empty();
  if (results)
    for (std::string& m : oru_for(set, next_options)) messages.push_back(std::move(m));
  if (auto requests = set.of_type("MedicationRequest"); !requests.empty()) messages.push_back(rde_o11(set, requests, next_options()));
  if (auto orders = set.of_type("ServiceRequest"); !orders.empty() && !results) messages.push_back(orm_o01(set, orders, next_options()));
  if (messages.empty()) {
    auto patients = set.of_type("Patient");
    if (patients.empty())
      return carebridge::Result<std::vector<std::string>>::failure(
          "not-supported", "nothing here becomes HL7 v2: no Observation, DiagnosticReport, MedicationRequest, ServiceRequest or Patient");
    for (const Element* p : patients)
      messages.push_back(msh(next_options(), "ADT^A08^ADT_A01") + "EVN|A08|" + v2_now() + "\r" + pid(p) + "PV1|1|N\r");
  }
  return messages;
}

}  // namespace carebridge::mappings::hl7v2
