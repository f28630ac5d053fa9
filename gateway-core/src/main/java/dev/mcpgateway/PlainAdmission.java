package dev.mcpgateway;

import java.util.Optional;

/** The admissions anyone may build: {@link Admission#proceed()} and {@link Admission#answered(GatewayResponse)}. */
final class PlainAdmission implements Admission {
  static final PlainAdmission PROCEED = new PlainAdmission(Optional.empty());

  private final Optional<GatewayResponse> answer;

  PlainAdmission(Optional<GatewayResponse> answer) {
    this.answer = answer;
  }

  @Override
  public Optional<GatewayResponse> answer() {
    return answer;
  }

  @Override
  public String toString() {
    return answer.map(response -> "Admission{answered " + response.status() + "}").orElse("Admission{proceed}");
  }
}
