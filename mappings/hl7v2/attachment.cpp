// OBX-5 (and TXA's documents) as an Attachment: encapsulated data (ED) with its media type
// and bytes, a reference pointer (RP) as where the data is, text as text/plain.
#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "fhir/io/base64.h"
#include "mappings/hl7v2/datatypes.h"

namespace carebridge::mappings::hl7v2 {

using engine::Node;

namespace {

// The media type of encapsulated data: ED-3's subtype (table 0291) when it names a
// known format ("PDF" is application/pdf whatever ED-2 says), else ED-2's type of data
// (table 0191: AP and Application, IM and SI images, AU audio, TEXT, ...), both lower case.
std::string media_type(const std::string& kind, const std::string& subtype) {
  static const std::map<std::string, std::string, std::less<>> known = {
      {"pdf", "application/pdf"},   {"rtf", "application/rtf"}, {"jpeg", "image/jpeg"}, {"jpg", "image/jpeg"},
      {"png", "image/png"},         {"gif", "image/gif"},       {"tiff", "image/tiff"}, {"tif", "image/tiff"},
      {"html", "text/html"},        {"xml", "application/xml"}, {"dicom", "application/dicom"},
      {"octet-stream", "application/octet-stream"}};
  if (auto hit = known.find(subtype); hit != known.end()) return hit->second;
  std::string top = kind == "ap" || kind == "application" || kind == "sd" ? "application"
                  : kind == "im" || kind == "image" || kind == "si" ? "image"
                  : kind == "au" || kind == "audio" ? "audio"
                  : kind == "video" ? "video"
                  : kind == "multipart" ? "multipart"
                                        : "text";
  if (!subtype.empty() && subtype.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.+-") == std::string::npos)
    return top + "/" + subtype;
  return top == "text" ? "text/plain" : top + "/octet-stream";
}

// ED-5 sent as Hex: its bytes (a pair that is not hex ends them).
std::string from_hex(std::string_view hex) {
  std::string out;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) break;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

// RP (a reference pointer) as a document's content: where the data is (RP-1), and its
// media type from RP-3 and RP-4 as ED-2 and ED-3 give it. A pointer that is no URI (it has
// spaces) is only the attachment's title, so the Bundle stays valid and the words stay.
Node pointed_attachment(const FieldValue& v) {
  Node a;
  std::string pointer = v.part(1), kind = v.part(3), subtype = v.part(4);
  if (pointer.empty()) return a;
  for (std::string* s : {&kind, &subtype})
    for (char& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!kind.empty() || !subtype.empty()) a.set("contentType", Node::string(media_type(kind, subtype), v.where(3)));
  bool uri = pointer.find_first_of(" \t\r\n") == std::string::npos;
  a.set(uri ? "url" : "title", Node::string(pointer, v.where(1)));
  return a;
}

}  // namespace

// OBX-5 as a document's content: encapsulated data (ED) as sent, a reference pointer (RP)
// as where the data is, text as text/plain.
Node attachment(const Rule& rule, const FieldValue& v) {
  Node a;
  std::string type = rule.type_of ? v.message->value(*v.segment, rule.type_of->field) : std::string();
  if (type == "RP") return pointed_attachment(v);
  if (type == "ED") {
    std::string kind = v.part(2), subtype = v.part(3), encoding = v.part(4), data = v.part(5);
    for (std::string* s : {&kind, &subtype})
      for (char& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    a.set("contentType", Node::string(media_type(kind, subtype), v.where(3)));
    for (char& c : encoding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string bytes = encoding == "hex" ? from_hex(data) : data;  // table 0299: A (text), Hex, Base64
    if (encoding == "base64")  // wrapped at 76 characters (\X0D0A\ in the field): the breaks are no data
      std::erase_if(data, [](char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t'; });
    a.set("data", Node::string(encoding == "base64" ? data : fhir::io::base64_encode(bytes), v.where(5)));
    return a;
  }
  std::string text = v.joined(1, "^");
  if (text.empty()) return {};
  a.set("contentType", Node::string("text/plain"));
  a.set("data", Node::string(fhir::io::base64_encode(text), v.where()));
  return a;
}

}  // namespace carebridge::mappings::hl7v2
