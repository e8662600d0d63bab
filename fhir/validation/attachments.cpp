// Attachments whose data is inline: the size it states is the number of bytes the
// base64 data decodes to (an error, as the reference validator has it), and the hash
// it states is the base64 SHA-1 of those bytes (the reference validator's
// TYPE_SPECIFIC_CHECKS_DT_ATT_HASH_MISMATCH: an error; a warning when ingesting, as a wrong
// digest does not make the data wrong, and for a hash that is not a base64 SHA-1 at all).
#include <openssl/evp.h>

#include "fhir/io/base64.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

std::string without_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') out += c;
  }
  return out;
}

std::string sha1_base64(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha1(), nullptr) != 1) return {};
  return io::base64_encode(std::string(reinterpret_cast<const char*>(digest), length));
}

}  // namespace

void check_attachment(Run& run, const Element& attachment, const Path& path) {
  std::string_view data = value_of(child_named(attachment, "data"));
  if (data.empty()) return;
  const Element* size = child_named(attachment, "size");
  const Element* hash = child_named(attachment, "hash");
  if (!value_of(size).size() && !value_of(hash).size()) return;
  std::optional<std::string> bytes = io::base64_decode(without_whitespace(data));
  if (!bytes) return;  // the primitive pass reports bad base64
  if (std::string_view stated = value_of(size); !stated.empty() && stated != std::to_string(bytes->size())) {
    run.report(Severity::Error, "value",
               "the attachment states a size of " + std::string(stated) + " bytes, but its data is " +
                   std::to_string(bytes->size()) + " bytes",
               *size, Path{&path, "size", -1});
  }
  if (std::string_view stated = value_of(hash); !stated.empty()) {
    std::string actual = sha1_base64(*bytes);
    // A digest written otherwise than as a base64 SHA-1 (R4's own pgx example writes it in hex)
    // is told of, not refused.
    auto digest = io::base64_decode(without_whitespace(stated));
    Severity severity = digest && digest->size() == 20 ? run.tolerable() : Severity::Warning;
    if (!actual.empty() && without_whitespace(stated) != actual) {
      run.report(severity, "value",
                 "the attachment's hash " + std::string(stated) + " is not the SHA-1 of its data (" + actual + ")", *hash,
                 Path{&path, "hash", -1});
    }
  }
}

}  // namespace carebridge::fhir::validation
