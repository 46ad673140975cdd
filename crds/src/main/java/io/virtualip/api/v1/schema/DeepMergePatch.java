package io.virtualip.api.v1.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Applies a JSON merge patch (RFC 7386) to the schema the CRD generator made for the annotated
 * class.
 *
 * <p>Used with {@code @SchemaCustomizer(value = DeepMergePatch.class, input = "{...}")} for what
 * fabric8 7.5.2 has no annotation for: {@code x-kubernetes-list-type}, {@code
 * x-kubernetes-list-map-keys}, and bounds on the items of lists and maps. fabric8's own {@code
 * MergePatchCustomizer} updates with Jackson's {@code readerForUpdating}, which replaces nested
 * objects instead of merging them, so a patch of one property drops all the others. This class is
 * only loaded by the generator at build time; at run time nobody needs it.
 */
public class DeepMergePatch implements SchemaCustomizer.Customizer {

  @Override
  public JSONSchemaProps apply(
      JSONSchemaProps props, String input, KubernetesSerialization serialization) {
    JsonNode patched =
        merge(
            serialization.convertValue(props, JsonNode.class),
            serialization.unmarshal(input, JsonNode.class));
    return serialization.convertValue(patched, props.getClass());
  }

  /**
   * RFC 7386 section 2: objects merge member by member, null removes a member, anything else
   * replaces.
   */
  static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result =
        target != null && target.isObject()
            ? (ObjectNode) target
            : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      if (member.getValue().isNull()) {
        result.remove(member.getKey());
      } else {
        result.set(member.getKey(), merge(result.get(member.getKey()), member.getValue()));
      }
    }
    return result;
  }
}
