// The FHIR terminology functions: memberOf(), subsumes() and subsumedBy(), answered
// by the one terminology module (fhir/terminology) the validator also asks. Each is
// true when some coding says so, false when every coding definitely says not, and
// empty when that cannot be told here (an unknown value set, SNOMED CT, codings of
// different systems).
#include "fhir/fhirpath/evaluator.h"
#include "fhir/terminology/terminology.h"

namespace carebridge::fhir::fhirpath {
namespace {

using model::Element;
namespace term = carebridge::fhir::terminology;

struct Code {
  std::string system, code;
  bool coding = false;  // a Coding (else a bare code or string: its system is unknown)
};

// The codes an item stands for: a code or string, a Coding, a CodeableConcept's codings.
void codes_of(const Item& item, std::vector<Code>& out) {
  if (!item.element) {
    if (item.type == SystemType::String) out.push_back({"", item.text, false});
    return;
  }
  const Element& e = *item.element;
  if (e.is_primitive()) {
    if (e.has_value) out.push_back({"", std::string(e.value), false});
    return;
  }
  auto coding = [&](const Element& cd) {
    const Element* s = cd.child("system");
    const Element* code = cd.child("code");
    if (code && code->has_value)
      out.push_back({s && s->has_value ? std::string(s->value) : "", std::string(code->value), true});
  };
  if (e.type == "Coding") {
    coding(e);
  } else if (e.type == "CodeableConcept") {
    for (const Element* child : e.children()) {
      if (child->name == "coding") coding(*child);
    }
  }
}

// Some in: true; all not in: false; else empty.
void push_answer(Call& c, bool any_true, bool all_false) {
  if (any_true) {
    c.out.push_back(make_boolean(true));
  } else if (all_false) {
    c.out.push_back(make_boolean(false));
  }
}

bool fn_member_of(Call& c) {
  std::optional<Item> url;
  if (!c.single_arg(0, url)) return false;
  if (!url || c.focus.empty()) return true;
  if (c.focus.size() > 1) return c.fail("memberOf() needs a single input");
  std::vector<Code> codes;
  codes_of(c.focus.front(), codes);
  if (codes.empty()) return true;
  bool any_in = false, all_out = true;
  for (const Code& code : codes) {
    const auto& terminology = c.ev.terminology();
    term::Membership m = code.coding ? terminology.contains(url->text, code.system, code.code)
                                     : terminology.contains_code(url->text, code.code);
    any_in = any_in || m == term::Membership::in;
    all_out = all_out && m == term::Membership::not_in;
  }
  push_answer(c, any_in, all_out);
  return true;
}

// subsumes() (`subsumed_by` false) or subsumedBy(): the focus codings against the argument's.
bool subsumption(Call& c, bool subsumed_by) {
  Collection given;
  if (!c.arg(0, given)) return false;
  if (c.focus.empty() || given.empty()) return true;
  if (c.focus.size() > 1 || given.size() > 1) return c.fail(c.node.name + "() needs a single input and argument");
  std::vector<Code> mine, theirs;
  codes_of(c.focus.front(), mine);
  codes_of(given.front(), theirs);
  if (mine.empty() || theirs.empty()) return true;
  term::Subsumption wanted = subsumed_by ? term::Subsumption::subsumed_by : term::Subsumption::subsumes;
  bool any_true = false, all_false = true;
  for (const Code& a : mine) {
    for (const Code& b : theirs) {
      // The same code is equivalent in any code system, held or not (R4 fhirpath.html: "true
      // if the source code is equal to the given code, or subsumes it").
      auto r = a.system.empty() || a.system != b.system ? term::Subsumption::unknown
               : a.code == b.code                       ? term::Subsumption::equivalent
                                                        : c.ev.terminology().subsumes(a.system, a.code, b.code);
      any_true = any_true || r == term::Subsumption::equivalent || r == wanted;
      all_false = all_false && (r == term::Subsumption::not_subsumed ||
                                r == (subsumed_by ? term::Subsumption::subsumes : term::Subsumption::subsumed_by));
    }
  }
  push_answer(c, any_true, all_false);
  return true;
}

bool fn_subsumes(Call& c) { return subsumption(c, false); }
bool fn_subsumed_by(Call& c) { return subsumption(c, true); }

constexpr FunctionSpec kTerminologyFunctions[] = {
    {"memberOf", 1, 1, fn_member_of},
    {"subsumes", 1, 1, fn_subsumes},
    {"subsumedBy", 1, 1, fn_subsumed_by},
};

}  // namespace

std::span<const FunctionSpec> terminology_functions() { return kTerminologyFunctions; }

}  // namespace carebridge::fhir::fhirpath
