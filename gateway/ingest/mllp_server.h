// The MLLP listeners: HL7 v2 over TCP (TLS and mutual TLS optional), each message written
// through V2Ingest before its acknowledgement is sent, so an acknowledged message is
// durable. Each connection's messages are taken in the order they arrive; a connection
// that sends nothing, stops mid-frame or sends bytes outside frames is closed, and other
// connections go on.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/ingest/v2_ingest.h"

namespace carebridge::gateway::security {
class TokenService;
}

namespace carebridge::gateway::ingest {

class MllpServer {
 public:
  // `tokens` may be null (an open development server: messages are written with no caller).
  MllpServer(std::vector<config::MllpListen> listeners, const V2Ingest& ingest, security::TokenService* tokens);
  ~MllpServer();
  MllpServer(const MllpServer&) = delete;
  MllpServer& operator=(const MllpServer&) = delete;

  // Binds every listener and starts serving on `threads` threads; returns the bound ports.
  // Throws (at start-up) when an address cannot be bound or a certificate read.
  std::vector<uint16_t> start(unsigned threads);
  // Stops accepting and closes every connection.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace carebridge::gateway::ingest
