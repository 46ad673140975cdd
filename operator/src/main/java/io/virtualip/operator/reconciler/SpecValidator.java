package io.virtualip.operator.reconciler;

import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.validation.CrdValidator;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The CRD's schema and CEL rules, checked again by the operator: a lax API server (or an old CRD)
 * may store a VirtualIP that breaks them, and such a resource must get Ready=False/InvalidSpec and
 * an event, not a crash loop.
 */
@ApplicationScoped
public class SpecValidator {

  public List<String> violations(VirtualIP vip) {
    return CrdValidator.load().validate(vip).stream().map(Object::toString).toList();
  }
}
