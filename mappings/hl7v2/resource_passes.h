// Passes over what a v2 message made, after its segments' rules: the keys a merge with the
// stored record uses, the shape of a document sent as lines, and links a record makes to
// itself.
#pragma once

#include <string>

#include "mappings/engine/resource_tree.h"
#include "mappings/hl7v2/map_spec.h"

namespace carebridge::mappings::hl7v2 {

// What a rule's `to` names for a merge with the stored record: the top element
// ("telecom[]" → "telecom"), or a keyed list's item ("identifier[system=S].value" →
// "identifier|S", "extension[url=U].valueString" → "extension|U").
std::string merge_key(const std::string& to);
// The same for a rule, whose `with` may say which items of its list are its own: a telecom's
// group ("telecom|work" for PID-14's, "telecom|home" for PID-13's).
std::string merge_key(const Rule& rule);

// The group of a telecom item a merge replaces whole: the work numbers (PID-14) or the
// others (PID-13's home, mobile and email). A message that sends one of those fields, or
// nulls it with `""`, changes its group alone (v2 2.5.3: a field not sent is no change).
std::string_view telecom_group(std::string_view use);

// A rule's value as its `member` and `with` shape it: a member of a new item, or merged with
// `with`'s members (what the value says wins).
engine::Node shaped(const Rule& rule, engine::Node value);

// A document sent as lines of text (MDM's OBX, one line each) is one text: its text/plain
// contents become one, the lines in order. (Several contents are renditions of one
// document, so a viewer would show the first line alone.)
void join_text_lines(engine::Node& document);

// Removes the links of a Bundle entry's resource to itself. A record is never linked to
// itself: when MRG-1 repeats the patient's own identifier (an A06 or A41 names the patient
// it moves, not one it merges), the Patient it names is this one, and "replaces" would say
// the patient replaces itself.
void drop_self_links(engine::Node& entry);

// Tidies what several fields said twice: identifiers written twice alike (PID-2 and PID-3
// naming the same number) are one, and a document does not relate to itself (an Epic edit,
// T08, sends its own number as the parent, TXA-13 = TXA-12).
void drop_repeats(engine::Node& resource);

// Makes a vital sign what FHIR's vital-signs profiles ask of it, with the three passes below:
// its value a Quantity, its units UCUM, and its profile's own code beside a variant one.
void conform_vital_sign(engine::Node& observation, const MapSpec& spec);

// FHIR's vital-signs profiles (which an Observation in that category answers to) have its
// value a Quantity. A vital sign sent as text (a monitor's "Unable to obtain", an NA series,
// an NM that is no number) or coded (a CWE) would make the whole message's Bundle invalid,
// every other result refused with it: its text (a code's words) is the Observation's note
// instead, with dataAbsentReason as-text, and no value. One sent with no value at all (a
// deleted result's empty OBX-5) has dataAbsentReason unknown, as vs-2 asks.
void keep_vital_sign_text(engine::Node& observation);

// The same profiles fix a vital sign's units to UCUM ("/min" for a heart rate, "mm[Hg]" for
// a blood pressure): units a sender spells its own way ("beats/min^^ISO", "mmHg", "F", or
// "bpm^^UCUM", which UCUM does not have) and `units` (the vocabulary's vital-sign-units) lists
// get the UCUM code, the sender's words kept as the unit; its reference range's bounds too.
// Units a vital sign's profile does not take (a weight in ounces, a height in feet) are
// converted, exactly, into the unit `conversions` names for the profile's code (`codes`, the
// vocabulary's vital-sign-codes) and the unit: pounds, inches. Units it does not list, and
// every result not a vital sign, stay as sent.
void ucum_vital_sign_units(engine::Node& observation, const Vocabulary* units, const Vocabulary* conversions,
                           const Vocabulary* codes);

// A vital sign sent under a variant LOINC code (59408-5, SpO2 by pulse oximetry) gets the
// code its profile requires beside it (2708-6), from `codes` (the vocabulary's vital-sign-codes).
void add_vital_sign_code(engine::Node& observation, const Vocabulary* codes);

// An appointment sent with a start and a length but no end (AIS-4 and AIS-7, the timing
// v2.5 senders give without TQ1 or SCH-11) ends its minutesDuration after its start: FHIR
// wants both or neither (app-2), and a booked one both (app-3).
void end_from_duration(engine::Node& appointment);

}  // namespace carebridge::mappings::hl7v2
