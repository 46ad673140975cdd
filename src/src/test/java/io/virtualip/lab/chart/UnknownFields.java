package io.virtualip.lab.chart;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Fields that fabric8's typed model did not recognise while reading a manifest. The model keeps
 * them in {@code additionalProperties} instead of failing, so a misspelt field
 * (readOnlyRootFileSystem) would pass both parsing and {@code kubectl --validate=false}; an API
 * server with strict field validation would reject it.
 */
final class UnknownFields {

  private UnknownFields() {}

  /**
   * Paths such as {@code spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem}.
   */
  static List<String> in(KubernetesResource object) {
    if (object instanceof GenericKubernetesResource generic) {
      return List.of("kind " + generic.getKind() + " is not a known Kubernetes type");
    }
    List<String> unknown = new ArrayList<>();
    walk("", object, unknown);
    return unknown;
  }

  private static void walk(String path, Object value, List<String> unknown) {
    if (value instanceof Collection<?> items) {
      int index = 0;
      for (Object item : items) {
        walk(path + "[" + index++ + "]", item, unknown);
      }
    } else if (value instanceof Map<?, ?> map) {
      map.forEach((key, item) -> walk(path + "[" + key + "]", item, unknown));
    } else if (value instanceof KubernetesResource resource) {
      for (Method getter : resource.getClass().getMethods()) {
        if (isProperty(getter)) {
          Object property = invoke(getter, resource);
          // JSONSchemaProps has a real field of that name (the schema keyword), not a catch-all
          // map.
          if (getter.getName().equals("getAdditionalProperties")
              && property instanceof Map<?, ?> extra) {
            extra.keySet().forEach(key -> unknown.add(join(path, key.toString())));
          } else {
            walk(join(path, propertyName(getter)), property, unknown);
          }
        }
      }
    }
  }

  private static boolean isProperty(Method method) {
    return method.getName().startsWith("get")
        && method.getParameterCount() == 0
        && !Modifier.isStatic(method.getModifiers())
        && !method.getName().equals("getClass");
  }

  private static String propertyName(Method getter) {
    String name = getter.getName().substring(3);
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + getter, e);
    }
  }
}
