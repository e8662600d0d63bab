// HL7 v2 into a running gateway, as an interface engine sends it: over MLLP (a client
// written for the test, framing as the standard says) and over POST /ingest/hl7v2. Each
// message is acknowledged after its records are committed; the records are readable over
// REST; a message sent again, a corrected result, a merge, a broken message, hostile bytes
// and a SIGKILL after the ACK each do what a hospital expects.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "fhir_client.h"
#include "mappings/hl7v2/er7.h"
#include "security_support.h"
#include "server_process.h"
#include "support/test_certificate.h"
#include "support/test_support.h"

using namespace carebridge::testing;
namespace v2 = carebridge::mappings::hl7v2;

namespace {

// An MLLP client: one connection; send() frames a message and returns the ACK(s).
class MllpClient {
 public:
  explicit MllpClient(uint16_t port) : fd_(connect_loopback(port, 20)) {}
  ~MllpClient() { ::close(fd_); }
  void send_raw(const std::string& bytes) {
    for (size_t at = 0; at < bytes.size();) {
      ssize_t n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return;
      at += static_cast<size_t>(n);
    }
  }
  // Reads `frames` acknowledgements (their text, without framing); fewer when the server closes.
  std::vector<std::string> read_acks(size_t frames = 1) {
    std::vector<std::string> acks;
    while (acks.size() < frames) {
      size_t start = buffer_.find('\x0b'), end = buffer_.find("\x1c\r");
      if (start != std::string::npos && end != std::string::npos && end > start) {
        acks.push_back(buffer_.substr(start + 1, end - start - 1));
        buffer_.erase(0, end + 2);
        continue;
      }
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return acks;
  }
  std::string send(const std::string& message) {
    send_raw("\x0b" + message + "\x1c\r");
    auto acks = read_acks();
    return acks.empty() ? std::string() : acks.front();
  }
  // Whether the server closed the connection (reads EOF within the timeout).
  bool closed() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_;
  std::string buffer_;
};

v2::Message ack_of(const std::string& text) {
  auto m = v2::parse_er7(text);
  INFO(text);
  REQUIRE(m.ok());
  return std::move(m).value();
}

std::string msa(const std::string& ack_text) {
  if (ack_text.empty()) return "(no ACK)";
  auto ack = ack_of(ack_text);
  return ack.value(*ack.segment("MSA"), 1);
}

std::string sample_text(const std::string& name) { return read_text(project_sample("hl7v2/" + name)); }

uint16_t read_port(const std::filesystem::path& file) {
  uint16_t port = 0;
  REQUIRE(eventually([&] {
    std::ifstream in(file);
    unsigned p = 0;
    if (in >> p) port = static_cast<uint16_t>(p);
    return port != 0;
  }));
  return port;
}

// A gateway with an MLLP listener (open, on loopback) and its MLLP port.
struct V2Gateway {
  std::filesystem::path work = temp_dir("v2-gateway");
  std::unique_ptr<ServerProcess> server;
  uint16_t mllp = 0;

  explicit V2Gateway(std::filesystem::path data = {}) {
    if (data.empty()) data = work / "data";
    start(data);
  }
  void start(const std::filesystem::path& data) {
    std::filesystem::remove(work / "mllp");
    std::string config = R"({"mllp":[{"address":"127.0.0.1:0","frame_timeout_ms":1500,"max_message_bytes":4194304}],)"
                         R"("mllp_port_file":")" + (work / "mllp").string() + R"("})";
    server = std::make_unique<ServerProcess>(data, config);
    mllp = read_port(work / "mllp");
  }
  long count(const std::string& query) {
    auto c = server->client();
    auto r = c->get("/fhir/" + query + (query.find('?') == std::string::npos ? "?" : "&") + "_summary=count");
    REQUIRE(r.status == 200);
    return parse_json(r.body)["total"].GetInt();
  }
  rapidjson::Document search(const std::string& query) {
    auto r = server->client()->get("/fhir/" + query);
    REQUIRE(r.status == 200);
    return parse_json(r.body);
  }
};

}  // namespace

TEST_CASE("MLLP: ADT, ORU, RDE and VXU are acknowledged and their records are readable over REST", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  for (const char* name : {"adt_a01.hl7", "oru_r01.hl7", "rde_o11.hl7", "vxu_v04.hl7"}) {
    std::string ack = client.send(sample_text(name));
    INFO(name << "\n" << ack);
    CHECK(msa(ack) == "AA");
  }
  auto patients = gw.search("Patient?identifier=urn:oid:2.16.840.1.113883.3.1001%7CRV100200");
  REQUIRE(patients["total"].GetInt() == 1);
  CHECK(str(patients["entry"][0]["resource"]["name"][0], "family") == "ALVAREZ");
  std::string patient_id = str(patients["entry"][0]["resource"], "id");
  CHECK(gw.count("Observation?subject=Patient/" + patient_id) == 5);
  CHECK(gw.count("DiagnosticReport?subject=Patient/" + patient_id) == 2);
  CHECK(gw.count("MedicationRequest?subject=Patient/" + patient_id) == 2);
  CHECK(gw.count("Immunization?vaccine-code=03") == 1);
  CHECK(gw.count("Observation?code=http://loinc.org%7C2345-7&value-quantity=182") == 1);
  // Where each record came from: the message, kept and named by a Provenance.
  CHECK(gw.count("Provenance") == 4);
  CHECK(gw.count("Binary") == 4);
  CHECK(gw.count("MessageHeader?event=R01") == 1);
}

TEST_CASE("MLLP: a message sent twice changes nothing, a corrected result updates the same record", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  REQUIRE(msa(client.send(sample_text("oru_r01.hl7"))) == "AA");
  auto ack = ack_of(client.send(sample_text("oru_r01.hl7")));
  CHECK(ack.value(*ack.segment("MSA"), 1) == "AA");
  CHECK(ack.value(*ack.segment("MSA"), 3).find("already received") != std::string::npos);
  // The same results under a new control id: still one set, each at version 1.
  std::string again = sample_text("oru_r01.hl7");
  again.replace(again.find("LAB20260314-0042"), 16, "LAB20260314-0099");
  REQUIRE(msa(client.send(again)) == "AA");
  CHECK(gw.count("Observation") == 5);
  CHECK(gw.count("MessageHeader") == 2);  // one per message received, none for the one sent again
  auto glucose = gw.search("Observation?code=http://loinc.org%7C2345-7");
  REQUIRE(glucose["total"].GetInt() == 1);
  CHECK(str(glucose["entry"][0]["resource"]["meta"], "versionId") == "1");
  std::string id = str(glucose["entry"][0]["resource"], "id");

  REQUIRE(msa(client.send(sample_text("oru_r01_corrected.hl7"))) == "AA");
  auto corrected = parse_json(gw.server->client()->get("/fhir/Observation/" + id).body);
  CHECK(str(corrected, "status") == "corrected");
  CHECK(corrected["valueQuantity"]["value"].GetInt() == 128);
  CHECK(str(corrected["meta"], "versionId") == "2");
  CHECK(gw.count("Observation") == 5);
}

TEST_CASE("MLLP: an A08 changes what it sends, deletes what it nulls and keeps what it leaves out", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  const std::string msh = "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||";
  REQUIRE(msa(client.send(msh + "ADT^A04^ADT_A01|U1|P|2.5.1\rEVN|A04\r"
                          "PID|1||U500^^^GOODHOSP^MR||NKRUMAH^ESI||19700203|F|||12 HIGH ST^^SPRINGFIELD^MA^01101||"
                          "^PRN^PH^^1^413^5550100|||M||||123-45-6789\rPV1|1|O\r")) == "AA");
  // Only the name changes, the phone is deleted (""), the address and SSN are not sent.
  REQUIRE(msa(client.send(msh + "ADT^A08^ADT_A01|U2|P|2.5.1\rEVN|A08\r"
                          "PID|1||U500^^^GOODHOSP^MR||NKRUMAH-OSEI^ESI||19700203|F|||||\"\"\rPV1|1|O\r")) == "AA");
  auto found = gw.search("Patient?identifier=U500");
  REQUIRE(found["total"].GetInt() == 1);
  const auto& patient = found["entry"][0]["resource"];
  CHECK(str(patient["meta"], "versionId") == "2");
  CHECK(str(patient["name"][0], "family") == "NKRUMAH-OSEI");
  CHECK_FALSE(patient.HasMember("telecom"));
  REQUIRE(patient.HasMember("address"));
  CHECK(str(patient["address"][0], "city") == "SPRINGFIELD");
  CHECK(patient.HasMember("maritalStatus"));
  bool ssn = false;
  for (const auto& id : patient["identifier"].GetArray()) ssn = ssn || str(id, "value") == "123-45-6789";
  CHECK(ssn);
}

TEST_CASE("MLLP: a number sent without its authority is not another authority's record", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  const std::string msh = "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||";
  // One hospital's MRN 4400; a doctor number 1234567893 that is an NPI and, for another
  // doctor, the hospital's own staff number. Then an old system's bare MRN 4400 (another
  // person) and bare doctor number: neither may find, or update, those records.
  REQUIRE(msa(client.send(msh + "ADT^A04^ADT_A01|B1|P|2.5.1\rEVN|A04\rPID|1||4400^^^GOODHOSP^MR||ASANTE^KOFI\r"
                          "PV1|1|O|||||1234567893^WELBY^MARCUS^^^^^^NPI\r")) == "AA");
  REQUIRE(msa(client.send(msh + "ADT^A04^ADT_A01|B2|P|2.5.1\rEVN|A04\rPID|1||4401^^^GOODHOSP^MR||OWUSU^AMA\r"
                          "PV1|1|O|||||1234567893^KILDARE^JAMES^^^^^^GOODHOSP\r")) == "AA");
  REQUIRE(msa(client.send(msh + "ADT^A04^ADT_A01|B3|P|2.3\rEVN|A04\rPID|1||4400||BOATENG^ADWOA\r"
                          "PV1|1|O|||||1234567893^WELBY^MARCUS\r")) == "AA");
  auto kofi = gw.search("Patient?identifier=urn:carebridge:v2:assigning-authority:GOODHOSP%7C4400");
  REQUIRE(kofi["total"].GetInt() == 1);
  CHECK(str(kofi["entry"][0]["resource"]["name"][0], "family") == "ASANTE");
  CHECK(gw.count("Patient") == 3);
  CHECK(gw.count("Practitioner") == 3);
}

TEST_CASE("MLLP: two senders' bare numbers name two records, and a correction finds its result whatever its OBX-1",
          "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  auto oru = [](const std::string& lab, const std::string& control, const std::string& pid, const std::string& obx) {
    return "MSH|^~\\&|LIS|" + lab + "|EHR|H|20261130101500-0500||ORU^R01^ORU_R01|" + control + "|P|2.5.1\r" + pid +
           "OBR|1||ACC100|80048^Basic metabolic panel^CPT|||20261130090000-0500||||||||||||||20261130100000-0500|||F\r" + obx;
  };
  // Two labs, one filler number ACC100 and no namespace; two clinics, one bare MRN 55501.
  REQUIRE(msa(client.send(oru("LABA", "A1", "PID|1||55501||KELLER^ANNA||19800101|F\r",
                              "OBX|1|NM|2951-2^Sodium^LN||140|mmol/L|||||F\rOBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L|||||F\r"))) == "AA");
  REQUIRE(msa(client.send(oru("LABB", "B1", "PID|1||55501||LOPEZ^BORIS||19500505|M\r",
                              "OBX|1|NM|2951-2^Sodium^LN||200|mmol/L|||||F\r"))) == "AA");
  CHECK(gw.count("Patient") == 2);
  CHECK(gw.count("Observation?code=http://loinc.org%7C2951-2") == 2);
  auto anna = gw.search("Patient?family=KELLER");
  REQUIRE(anna["total"].GetInt() == 1);
  CHECK(str(anna["entry"][0]["resource"]["meta"], "versionId") == "1");
  // Lab A corrects its sodium alone, now as OBX 1 of a message that leads with it: the one record changes.
  REQUIRE(msa(client.send(oru("LABA", "A2", "PID|1||55501||KELLER^ANNA||19800101|F\r",
                              "OBX|1|NM|2951-2^Sodium^LN||141|mmol/L|||||C\rOBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L|||||F\r"))) == "AA");
  REQUIRE(msa(client.send(oru("LABA", "A3", "PID|1||55501||KELLER^ANNA||19800101|F\r",
                              "OBX|1|NM|2823-3^Potassium^LN||4.2|mmol/L|||||C\r"))) == "AA");
  auto sodium = gw.search("Observation?code=http://loinc.org%7C2951-2&subject.family=KELLER");
  REQUIRE(sodium["total"].GetInt() == 1);
  CHECK(sodium["entry"][0]["resource"]["valueQuantity"]["value"].GetInt() == 141);
  auto potassium = gw.search("Observation?code=http://loinc.org%7C2823-3");
  REQUIRE(potassium["total"].GetInt() == 1);
  CHECK(str(potassium["entry"][0]["resource"], "status") == "corrected");
  auto boris = gw.search("Observation?code=http://loinc.org%7C2951-2&subject.family=LOPEZ");
  REQUIRE(boris["total"].GetInt() == 1);
  CHECK(boris["entry"][0]["resource"]["valueQuantity"]["value"].GetInt() == 200);
}

TEST_CASE("MLLP: a patient is found by any of PID-3's identifiers, not by the first alone", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  const std::string msh = "MSH|^~\\&|LAB|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||";
  REQUIRE(msa(client.send(msh + "ADT^A04^ADT_A01|C1|P|2.5.1\rEVN|A04\rPID|1||MRN-7^^^GOODHOSP^MR~555-12-3456^^^USSSA^SS||MENSAH^ABENA\r"
                          "PV1|1|O\r")) == "AA");
  // The lab lists its own id first, the hospital's MRN second: the same woman.
  REQUIRE(msa(client.send(msh + "ORU^R01^ORU_R01|C2|P|2.5.1\rPID|1||LAB-9^^^CITYLAB^PI~MRN-7^^^GOODHOSP^MR||MENSAH^ABENA\r"
                          "OBR|1||F-1|2345-7^Glucose^LN|||20261128090000-0500\r"
                          "OBX|1|NM|2345-7^Glucose^LN||95|mg/dL|||||F|||20261128090000-0500\r")) == "AA");
  // Another person given the same SSN by mistake is not her.
  REQUIRE(msa(client.send(msh + "ADT^A04^ADT_A01|C3|P|2.5.1\rEVN|A04\rPID|1||MRN-8^^^GOODHOSP^MR~555-12-3456^^^USSSA^SS||OTI^KWAME\r"
                          "PV1|1|O\r")) == "AA");
  CHECK(gw.count("Patient") == 2);
  auto result = gw.search("Observation?code=2345-7");
  REQUIRE(result["total"].GetInt() == 1);
  auto abena = gw.search("Patient?identifier=urn:carebridge:v2:assigning-authority:GOODHOSP%7CMRN-7");
  REQUIRE(abena["total"].GetInt() == 1);
  CHECK(str(abena["entry"][0]["resource"]["name"][0], "family") == "MENSAH");
  CHECK(str(result["entry"][0]["resource"]["subject"], "reference") == "Patient/" + str(abena["entry"][0]["resource"], "id"));
}

TEST_CASE("MLLP: an order's cancel changes its status and keeps what the order said", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  const std::string msh = "MSH|^~\\&|EHR|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||";
  const std::string pid = "PID|1||U700^^^GOODHOSP^MR||MENSAH^AMA||19700203|F\rPV1|1|O\r";
  REQUIRE(msa(client.send(msh + "ORM^O01^ORM_O01|O1|P|2.5.1\r" + pid +
                          "ORC|NW|P9001^EPIC|||||||20261128101500-0500|||1234^WELBY^MARCUS\r"
                          "OBR|1|P9001^EPIC||2093-3^Cholesterol^LN\r")) == "AA");
  // The cancel two hours later says its status and reason, not the requester again.
  REQUIRE(msa(client.send(msh + "ORM^O01^ORM_O01|O2|P|2.5.1\r" + pid +
                          "ORC|CA|P9001^EPIC|||CA||||20261128121500-0500\r"
                          "OBR|1|P9001^EPIC||2093-3^Cholesterol^LN\r")) == "AA");
  auto found = gw.search("ServiceRequest?identifier=P9001");
  REQUIRE(found["total"].GetInt() == 1);
  const auto& order = found["entry"][0]["resource"];
  CHECK(str(order, "status") == "revoked");
  CHECK(order.HasMember("requester"));  // kept from the order
  CHECK(str(order, "authoredOn").starts_with("2026-11-28T10:15"));  // when it was ordered, not cancelled
}

TEST_CASE("MLLP: a result sent again is whole: a flag it no longer sends is gone", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  const std::string head = "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|";
  const std::string body = "|P|2.5.1\rPID|1||U600^^^NORTH^MR||ASARE^YAA||19700203|M\r"
                           "OBR|1||F600^LIS|2345-7^Glucose^LN|||20261128080000-0500||||||||||||||||||STATUS\r"
                           "OBX|1|NM|2345-7^Glucose^LN||VALUE|mg/dL^mg/dL^UCUM|70-99|FLAG|||STATUS\r";
  auto message = [&](const std::string& id, const std::string& value, const std::string& flag, const std::string& status) {
    std::string m = head + id + body;
    m.replace(m.find("VALUE"), 5, value);
    m.replace(m.find("FLAG"), 4, flag);
    for (size_t at; (at = m.find("STATUS")) != std::string::npos;) m.replace(at, 6, status);
    return m;
  };
  REQUIRE(msa(client.send(message("R1", "180", "H", "P"))) == "AA");
  REQUIRE(msa(client.send(message("R2", "95", "", "F"))) == "AA");
  auto found = gw.search("Observation?code=http://loinc.org%7C2345-7");
  REQUIRE(found["total"].GetInt() == 1);
  const auto& result = found["entry"][0]["resource"];
  CHECK(str(result, "status") == "final");
  CHECK_FALSE(result.HasMember("interpretation"));
}

TEST_CASE("MLLP: a merge marks the old patient inactive, replaced by the surviving one", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  std::string old_admit = sample_text("adt_a08.hl7");
  old_admit.replace(old_admit.find("RV100200"), 8, "RV100977");
  REQUIRE(msa(client.send(old_admit)) == "AA");
  REQUIRE(msa(client.send(sample_text("adt_a01.hl7"))) == "AA");
  REQUIRE(msa(client.send(sample_text("adt_a40.hl7"))) == "AA");
  auto old = gw.search("Patient?identifier=urn:oid:2.16.840.1.113883.3.1001%7CRV100977");
  REQUIRE(old["total"].GetInt() == 1);
  const auto& r = old["entry"][0]["resource"];
  CHECK(r["active"].IsFalse());
  CHECK(str(r["link"][0], "type") == "replaced-by");
  auto survivor = gw.search("Patient?identifier=urn:oid:2.16.840.1.113883.3.1001%7CRV100200");
  CHECK(str(r["link"][0]["other"], "reference") == "Patient/" + str(survivor["entry"][0]["resource"], "id"));
}

TEST_CASE("MLLP: broken messages are answered AR or AE with the position and the reason", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  auto unsupported = ack_of(client.send("MSH|^~\\&|A|B|C|D|20260101||ZZZ^Z01|Q1|P|2.5.1\rPID|1||7\r"));
  CHECK(unsupported.value(*unsupported.segment("MSA"), 1) == "AR");
  CHECK(unsupported.value(*unsupported.segment("MSA"), 2) == "Q1");
  const v2::Segment* err = unsupported.segment("ERR");
  REQUIRE(err);
  CHECK(unsupported.value(*err, 2, 1, 1) == "MSH");
  CHECK(unsupported.value(*err, 2, 1, 3) == "9");
  CHECK(unsupported.value(*err, 3) == "200");

  // A lab order and result for no patient: the order (ServiceRequest, made by its ORC) needs
  // a subject. AE, at the ORC.
  auto invalid = ack_of(client.send("MSH|^~\\&|LAB|X|CB|Y|20260101||ORU^R01^ORU_R01|Q2|P|2.5.1\rORC|RE||F9\rOBR|1||F9|X^X\r"
                                    "OBX|1|NM|Y^Y||1|mg||||||F\r"));
  CHECK(invalid.value(*invalid.segment("MSA"), 1) == "AE");
  bool at_orc = false;
  for (const v2::Segment& s : invalid.segments())
    if (s.name == "ERR") at_orc = at_orc || (invalid.value(s, 2, 1, 1) == "ORC" && invalid.value(s, 8).find("subject") != std::string::npos);
  CHECK(at_orc);
  CHECK(msa(client.send("not a message at all")) == "AR");
  // A version that is not v2's, an event table 0003 does not have, no control ID: AR, at the
  // field, with HL7 table 0357's code; an ADT with no PID: AE, a segment sequence error.
  auto refused = [&](const std::string& msh, const std::string& rest) { return ack_of(client.send(msh + rest)); };
  auto version = refused("MSH|^~\\&|A|B|C|D|20260101||ADT^A04^ADT_A01|Q3|P|3.1", "\rEVN|A04\rPID|1||7^^^H^MR\rPV1|1|O\r");
  auto event = refused("MSH|^~\\&|A|B|C|D|20260101||ADT^A99|Q4|P|2.5.1", "\rEVN|A99\rPID|1||7^^^H^MR\rPV1|1|O\r");
  auto control = refused("MSH|^~\\&|A|B|C|D|20260101||ADT^A04^ADT_A01||P|2.5.1", "\rEVN|A04\rPID|1||7^^^H^MR\rPV1|1|O\r");
  auto no_pid = refused("MSH|^~\\&|A|B|C|D|20260101||ADT^A01^ADT_A01|Q6|P|2.5.1", "\rEVN|A01\rPV1|1|I\r");
  for (auto [ack, code, field, answer] : {std::tuple{&version, "203", "12", "AR"}, std::tuple{&event, "201", "9", "AR"},
                                           std::tuple{&control, "101", "10", "AR"}, std::tuple{&no_pid, "100", "", "AE"}}) {
    INFO(code);
    CHECK(ack->value(*ack->segment("MSA"), 1) == answer);
    bool said = false;
    for (const v2::Segment& e : ack->segments())
      if (e.name == "ERR" && ack->value(e, 3) == code && ack->value(e, 4) == "E")
        said = said || !*field || ack->value(e, 2, 1, 3) == field;
    CHECK(said);
  }
  CHECK(gw.count("Encounter") == 0);
  // None of it stopped the connection or the gateway.
  CHECK(msa(client.send(sample_text("adt_a01.hl7"))) == "AA");
}

TEST_CASE("MLLP: enhanced mode sends the accept acknowledgement and the application one as asked", "[e2e][hl7v2]") {
  V2Gateway gw;
  MllpClient client(gw.mllp);
  std::string vxu = sample_text("vxu_v04.hl7");  // MSH-15 ER, MSH-16 AL
  client.send_raw("\x0b" + vxu + "\x1c\r");
  auto acks = client.read_acks(1);
  REQUIRE(acks.size() == 1);
  CHECK(msa(acks[0]) == "AA");  // no accept ACK on success (ER), the application ACK (AL)
  std::string always = vxu;
  always.replace(always.find("|ER|AL"), 6, "|AL|AL");
  always.replace(always.find("NSC-VX-3021"), 11, "NSC-VX-3022");
  client.send_raw("\x0b" + always + "\x1c\r");
  acks = client.read_acks(2);
  REQUIRE(acks.size() == 2);
  CHECK(msa(acks[0]) == "CA");
  CHECK(msa(acks[1]) == "AA");
}

TEST_CASE("MLLP: what was acknowledged survives a SIGKILL", "[e2e][hl7v2][crash]") {
  V2Gateway gw;
  {
    MllpClient client(gw.mllp);
    REQUIRE(msa(client.send(sample_text("oru_r01.hl7"))) == "AA");
  }
  auto data = gw.server->data_dir();
  gw.server->kill();
  gw.server.reset();
  gw.start(data);
  CHECK(gw.count("Observation") == 5);
  MllpClient client(gw.mllp);
  auto ack = ack_of(client.send(sample_text("oru_r01.hl7")));
  CHECK(ack.value(*ack.segment("MSA"), 3).find("already received") != std::string::npos);
}

TEST_CASE("MLLP: hostile input gets clear answers and the gateway keeps serving", "[e2e][hl7v2][hostile]") {
  V2Gateway gw;
  {  // binary garbage outside any frame, then a good message on the same connection
    MllpClient client(gw.mllp);
    std::string garbage;
    for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 37 + 11) % 256 == 0x0B ? 'x' : (i * 37 + 11) % 256);
    client.send_raw(garbage);
    CHECK(msa(client.send(sample_text("adt_a08.hl7"))) == "AA");
  }
  {  // binary garbage inside a frame
    MllpClient client(gw.mllp);
    CHECK(msa(client.send(std::string("\x01\x02\x03\xff\xfe MSH", 9))) == "AR");
  }
  {  // a 50 MB message: past the listener's 4 MB limit, answered AR, the connection goes on
    MllpClient client(gw.mllp);
    std::string big = "MSH|^~\\&|A|B|C|D|20260101||ORU^R01|BIG|P|2.5.1\rOBX|1|ST|X^X||" + std::string(50u << 20, 'a') + "\r";
    auto ack = ack_of(client.send(big));
    CHECK(ack.value(*ack.segment("MSA"), 1) == "AR");
    CHECK(ack.value(*ack.segment("MSA"), 3).find("larger than") != std::string::npos);
    CHECK(msa(client.send(sample_text("adt_a08.hl7"))) == "AA");
  }
  {  // a field past FHIR's 1 MB for a string: AE at that field, saying so
    MllpClient client(gw.mllp);
    std::string note = sample_text("oru_r01.hl7");
    note.replace(note.find("Specimen received at ambient temperature"), 40, std::string(1u << 20, 'n'));
    note.replace(note.find("LAB20260314-0042"), 16, "LAB20260314-BIG1");
    auto ack = ack_of(client.send(note));
    CHECK(ack.value(*ack.segment("MSA"), 1) == "AE");
    const v2::Segment* err = ack.segment("ERR");
    REQUIRE(err);
    CHECK(ack.value(*err, 2) == "OBX");
    CHECK(ack.value(*err, 2, 1, 2) == "5");
    CHECK(ack.value(*err, 8).find("longer than 1 MB") != std::string::npos);
  }
  {  // a start block with no end: the connection is closed after the frame timeout
    MllpClient client(gw.mllp);
    client.send_raw("\x0bMSH|^~\\&|A|B|C|D|20260101||ADT^A08|HALF|P|2.5.1\r");
    CHECK(client.closed());
  }
  {  // wrong encoding: declared UTF-8, sent as Latin-1
    MllpClient client(gw.mllp);
    std::string latin1 = "MSH|^~\\&|A|B|C|D|20260101||ADT^A08^ADT_A01|ENC1|P|2.5.1||||||UNICODE UTF-8\rEVN|A08\r"
                         "PID|1||E1^^^H^MR||Mu\xf1oz^Jos\xe9\rPV1|1|O\r";
    std::string answer = msa(client.send(latin1));
    CHECK((answer == "AR" || answer == "AE"));
  }
  CHECK(gw.server->client()->get("/fhir/metadata").status == 200);
  MllpClient after(gw.mllp);
  CHECK(msa(after.send(sample_text("adt_a01.hl7"))) == "AA");
}

TEST_CASE("POST /ingest/hl7v2: the transaction-response, or the ACK when asked", "[e2e][hl7v2]") {
  V2Gateway gw;
  auto c = gw.server->client();
  auto response = c->post("/ingest/hl7v2", sample_text("oru_r01.hl7"), {{"Content-Type", "x-application/hl7-v2+er7"}});
  REQUIRE(response.status == 200);
  auto bundle = parse_json(response.body);
  CHECK(str(bundle, "type") == "transaction-response");
  auto ack = c->post("/ingest/hl7v2", sample_text("rde_o11.hl7"),
                     {{"Content-Type", "x-application/hl7-v2+er7"}, {"Accept", "x-application/hl7-v2+er7"}});
  CHECK(ack.status == 200);
  CHECK(msa(ack.body) == "AA");
  auto bad = c->post("/ingest/hl7v2", "MSH|^~\\&|A|B|C|D|20260101||ZZZ^Z01|Q1|P|2.5.1\r", {});
  CHECK(bad.status == 400);
  auto outcome = parse_json(bad.body);
  CHECK(outcome["issue"][0]["location"][0].GetString() == std::string("MSH[1]-9"));
  CHECK(c->post("/ingest/no-such-format", "x", {}).status == 404);
}

TEST_CASE("v2 in is authorized like REST: a token for /ingest, a registered client for MLLP", "[e2e][hl7v2][security]") {
  std::string extra = R"("mllp":[{"address":"127.0.0.1:0","client":"riverside-lab"}],"mllp_port_file":")";
  auto work = temp_dir("v2-secured-ports");
  extra += (work / "mllp").string() + "\"";
  SecuredGateway gw("v2-secured", {{"riverside-lab", "riverside", "system/*.cruds"}, {"reader", "riverside", "system/*.rs"}}, "",
                    extra);
  auto& http = gw.http();
  CHECK(http.post("/ingest/hl7v2", sample_text("oru_r01.hl7"), {}).status == 401);
  auto read_only = http.post("/ingest/hl7v2", sample_text("oru_r01.hl7"), SecuredGateway::as(gw.token("reader", "system/*.rs")));
  CHECK(read_only.status == 403);
  auto writer = http.post("/ingest/hl7v2", sample_text("rde_o11.hl7"), SecuredGateway::as(gw.token("riverside-lab")));
  CHECK(writer.status == 200);
  MllpClient client(read_port(work / "mllp"));
  CHECK(msa(client.send(sample_text("oru_r01.hl7"))) == "AA");
  auto observations = http.get("/fhir/Observation?_summary=count", SecuredGateway::as(gw.token("reader", "system/*.rs")));
  CHECK(parse_json(observations.body)["total"].GetInt() == 5);
  // Revoked: the listener's messages are refused (AE), not written.
  REQUIRE(gw.clients_command("revoke riverside-lab") == 0);
  REQUIRE(eventually([&] {
    std::string again = sample_text("vxu_v04.hl7");
    again.replace(again.find("|ER|AL"), 6, "|NE|AL");
    return msa(client.send(again)) == "AE";
  }));
}

TEST_CASE("The v2 messages a lab sends are kept as Binaries and MessageHeaders no other organization reads", "[e2e][hl7v2][security]") {
  SecuredGateway gw("v2-kept-messages", {{"riverside-lab", "riverside", "system/*.cruds"}, {"stranger", "org-c", "system/*.cruds"}});
  auto& http = gw.http();
  auto lab = SecuredGateway::as(gw.token("riverside-lab"));
  auto stranger = SecuredGateway::as(gw.token("stranger"));
  REQUIRE(http.post("/ingest/hl7v2", sample_text("oru_r01.hl7"), lab).status == 200);
  auto kept = entry_ids(http.get("/fhir/Binary", lab).body);
  REQUIRE(kept.size() == 1);  // the message itself: PID with the patient's name, birth date and identifiers
  CHECK(http.get("/fhir/" + kept.front(), stranger).status == 404);
  auto as_text = stranger;
  as_text.emplace_back("Accept", "x-application/hl7-v2+er7");  // the content itself: no more theirs
  CHECK(http.get("/fhir/" + kept.front(), as_text).status == 404);
  auto lab_text = lab;
  lab_text.emplace_back("Accept", "x-application/hl7-v2+er7");
  CHECK(http.get("/fhir/" + kept.front(), lab_text).body.starts_with("MSH|"));
  CHECK(bundle_total(http.get("/fhir/Binary", stranger).body) == 0);
  CHECK(bundle_total(http.get("/fhir/MessageHeader", lab).body) == 1);  // who sent what to whom, and about whom
  CHECK(bundle_total(http.get("/fhir/MessageHeader", stranger).body) == 0);
  CHECK(http.get("/fhir/_history?_count=100", stranger).body.find(kept.front()) == std::string::npos);
}

// The ids of a message's records are made with a secret of each gateway: another organization
// cannot put a record first where a lab's next message will be kept (that made the message
// a duplicate, acknowledged AA and never stored).
TEST_CASE("No one can put a record first where a lab's next v2 message will be kept", "[e2e][hl7v2][security]") {
  std::string kept_elsewhere;
  {
    SecuredGateway other("v2-ids-elsewhere", {{"riverside-lab", "riverside", "system/*.cruds"}});
    auto lab = SecuredGateway::as(other.token("riverside-lab"));
    REQUIRE(other.http().post("/ingest/hl7v2", sample_text("oru_r01.hl7"), lab).status == 200);
    auto kept = entry_ids(other.http().get("/fhir/Binary", lab).body);
    REQUIRE(kept.size() == 1);
    kept_elsewhere = kept.front();
  }
  SecuredGateway gw("v2-ids", {{"riverside-lab", "riverside", "system/*.cruds"}, {"stranger", "org-c", "system/*.cruds"}});
  auto& http = gw.http();
  auto lab = SecuredGateway::as(gw.token("riverside-lab"));
  auto stranger = SecuredGateway::as(gw.token("stranger"));
  std::string id = kept_elsewhere.substr(kept_elsewhere.find('/') + 1);
  auto as_json = stranger;
  as_json.emplace_back("Content-Type", "application/fhir+json");
  auto planted = http.put("/fhir/" + kept_elsewhere, R"({"resourceType":"Binary","id":")" + id + R"(","contentType":"text/plain","data":"eA=="})",
                          as_json);
  CHECK(planted.status == 201);
  auto sent = http.post("/ingest/hl7v2", sample_text("oru_r01.hl7"), lab);
  REQUIRE(sent.status == 200);
  CHECK(sent.body.find("already received") == std::string::npos);
  CHECK(bundle_total(http.get("/fhir/Observation", lab).body) == 5);
}

TEST_CASE("MLLP over TLS: a hospital's client certificate stands for its registered client", "[e2e][hl7v2][security][tls]") {
  auto dir = temp_dir("v2-mtls");
  auto file = [&](const std::string& name) { return (dir / name).string(); };
  if (!make_mutual_tls_files(dir)) {
    WARN("openssl is not available; skipping");
    return;
  }
  std::string add = std::string(CAREBRIDGE_BINARY) + " clients add riverside-lab --organization riverside --certificate '" +
                    file("hospital.pem") + "' --scope 'system/*.cruds' --data-dir '" + (dir / "data").string() + "' >/dev/null";
  REQUIRE(std::system(add.c_str()) == 0);
  std::string config = R"({"auth":{"required":true},"mllp":[{"address":"127.0.0.1:0","idle_timeout_ms":1500,)"
                       R"("tls_certificate":")" + file("server.pem") + R"(","tls_private_key":")" + file("server.key") +
                       R"(","tls_client_ca":")" + file("ca.pem") + R"("}],"mllp_port_file":")" + file("mllp") + R"("})";
  ServerProcess server(dir / "data", config);
  uint16_t port = read_port(dir / "mllp");
  std::ofstream(dir / "message", std::ios::binary) << "\x0b" << sample_text("oru_r01.hl7") << "\x1c\r";
  // openssl s_client as the sending system: the message in, the ACK out, until the server
  // closes the idle connection.
  auto send_as = [&](const std::string& who) {
    std::string cmd = "openssl s_client -quiet -ign_eof -connect 127.0.0.1:" + std::to_string(port) + " -CAfile '" +
                      file("server.pem") + "' -cert '" + file(who + ".pem") + "' -key '" + file(who + ".key") + "' < '" +
                      file("message") + "' > '" + file(who + ".out") + "' 2>/dev/null";
    std::system(cmd.c_str());
    std::string out = read_text(dir / (who + ".out"));
    size_t start = out.find('\x0b'), end = out.find('\x1c');
    return start == std::string::npos || end == std::string::npos ? std::string() : out.substr(start + 1, end - start - 1);
  };
  CHECK(msa(send_as("hospital")) == "AA");
  auto refused = send_as("stranger");
  CHECK(msa(refused) == "AE");
  CHECK(refused.find("not a registered client") != std::string::npos);
}
