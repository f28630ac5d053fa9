package dev.mcpgateway.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTranslatorTest {

  @Test
  void writesAnIpv4RemoteAddressAsHostColonPort() {
    assertThat(RequestTranslator.remoteAddress("127.0.0.1", 5000)).isEqualTo("127.0.0.1:5000");
  }

  @Test
  void putsAnIpv6RemoteAddressInBrackets() {
    assertThat(RequestTranslator.remoteAddress("0:0:0:0:0:0:0:1", 5000)).isEqualTo("[0:0:0:0:0:0:0:1]:5000");
    assertThat(RequestTranslator.remoteAddress("[::1]", 5000)).isEqualTo("[::1]:5000");
  }

  @Test
  void saysUnknownWhenTheContainerDoesNotKnowTheRemoteAddress() {
    assertThat(RequestTranslator.remoteAddress(null, -1)).isEqualTo("unknown");
    assertThat(RequestTranslator.remoteAddress("", 0)).isEqualTo("unknown");
  }

  @Test
  void leavesThePortOutWhenItIsUnknown() {
    assertThat(RequestTranslator.remoteAddress("10.0.0.1", -1)).isEqualTo("10.0.0.1");
  }
}
