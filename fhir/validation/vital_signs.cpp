// The codes that make an Observation a vital sign: each core vital signs profile with the
// LOINC and SNOMED CT codes the reference validator maps to it (its implied profiles for an
// Observation). A code beside the profile's own (body temperature 8331-1, oral) still calls
// for the profile, whose code slice then asks for the profile's code as well.
#include "fhir/validation/vital_signs.h"

#include <algorithm>
#include <initializer_list>

namespace carebridge::fhir::validation {
namespace {

constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kSnomed = "http://snomed.info/sct";

struct VitalSignCodes {
  std::string_view profile, name, system;
  std::initializer_list<std::string_view> codes;
};

// In the order the reference validator tries them: the first that matches wins.
const VitalSignCodes kVitalSignCodes[] = {
    {"vitalspanel", "Vital Signs Panel", kLoinc, {"85353-1"}},
    {"resprate", "Respiratory Rate", kLoinc, {"9279-1", "76170-0", "76172-6", "76171-8", "19840-8", "33438-3", "76270-8", "11291-2"}},
    {"heartrate", "Heart rate", kLoinc,
     {"60978-4", "73795-7", "73799-9", "76476-1", "76477-9", "8867-4", "8889-8", "8890-6", "8891-4", "8892-2", "8893-0",
      "40443-4", "55425-3", "68999-2", "11328-2", "69000-8", "8886-4"}},
    {"oxygensat", "Oxygen saturation", kLoinc,
     {"2708-6", "19224-5", "20564-1", "2709-4", "2710-2", "2713-6", "51733-4", "59408-5", "59417-6", "89276-0", "97549-0"}},
    {"bodytemp", "Body temperature", kLoinc,
     {"8310-5", "60834-9", "60835-6", "60836-4", "60838-0", "60955-2", "61009-7", "75539-7", "75987-8", "76010-8", "76011-6",
      "76278-1", "8309-7", "8328-7", "8329-5", "8330-3", "8331-1", "8332-9", "8333-7", "8334-5", "91371-5", "98657-0",
      "98663-8"}},
    {"bodyheight", "Body height", kLoinc, {"8302-2", "3137-7", "3138-5", "8306-3", "8308-9"}},
    {"headcircum", "Head circumference", kLoinc, {"9843-4", "8287-5"}},
    {"bodyweight", "Body weight", kLoinc, {"29463-7", "3141-9", "3142-7", "75292-3", "79348-9", "8350-1", "8351-9"}},
    {"bmi", "Body mass index", kLoinc, {"39156-5", "89270-3"}},
    {"bp", "Blood pressure systolic and diastolic", kLoinc, {"85354-9", "35094-2", "8459-0", "76534-7", "55284-4", "8480-6"}},
    {"vitalspanel", "Vital Signs Panel", kSnomed, {"46680005"}},
    {"resprate", "Respiratory Rate", kSnomed, {"86290005", "271625008", "271306003"}},
    {"heartrate", "Heart rate", kSnomed, {"271306003", "249043002", "444981005", "399017001", "251670001", "429525003", "429614003"}},
    {"oxygensat", "Oxygen saturation", kSnomed, {"442476006", "431314004"}},
    {"bodytemp", "Body temperature", kSnomed,
     {"386725007", "276885007", "300076005", "1222808002", "364246006", "307047009", "708499008", "431598003", "698831002",
      "698832009", "415882003", "415974002", "415929009", "415945006"}},
    {"bodyheight", "Body height", kSnomed, {"1153637007", "1162419008", "50373000", "1162418000", "1230278008", "1162392001", "1162417005"}},
    {"headcircum", "Head circumference", kSnomed, {"363812007", "169876006", "1269262007", "363811000"}},
    {"bodyweight", "Body weight", kSnomed, {"735395000", "425024002", "424927000", "784399000", "1162416001", "1162415002"}},
    {"bmi", "Body mass index", kSnomed, {"60621009"}},
    {"bp", "Blood pressure systolic and diastolic", kSnomed,
     {"251076008", "163033001", "163035008", "386534000", "386536003", "271649006", "271650006", "407556006", "407554009",
      "716579001", "399304008"}},
};

// The code of the first of `code`'s codings in `sign`'s system and codes; empty when none.
std::string_view matching_code(const Element& code, const VitalSignCodes& sign) {
  for (const Element* coding : code.children()) {
    if (coding->name != "coding" || value_of(child_named(*coding, "system")) != sign.system) continue;
    std::string_view value = value_of(child_named(*coding, "code"));
    if (std::find(sign.codes.begin(), sign.codes.end(), value) != sign.codes.end()) return value;
  }
  return {};
}

}  // namespace

ImpliedVitalSign implied_vital_sign(const Element& observation) {
  const Element* code = child_named(observation, "code");
  if (!code) return {};
  for (const VitalSignCodes& sign : kVitalSignCodes) {
    std::string_view found = matching_code(*code, sign);
    if (found.empty()) continue;
    return {"http://hl7.org/fhir/StructureDefinition/" + std::string(sign.profile), sign.name,
            sign.system == kLoinc ? "LOINC" : "SNOMED CT", found};
  }
  return {};
}

}  // namespace carebridge::fhir::validation
