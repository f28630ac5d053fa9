package dev.mcpgateway.modules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of a library module, written as text and checked against a committed baseline
 * ({@code api/<artifact>.api} in the module): every public type of the exported packages, with
 * its kind, modifiers, supertypes and permitted subtypes, and every public or protected member
 * a user can reach (a protected member only where the type can be extended). Removing or changing
 * a line breaks users; adding one grows the API. Either way the check fails until the baseline is
 * written anew, so that every change to the API is a deliberate, reviewed diff:
 *
 * <pre>mvn -pl gateway-core test -Dtest=CoreModuleTest -Dapi.update=true</pre>
 *
 * <p>The text comes from reflection on the compiled classes, without running their initializers,
 * and reads the same on every JDK from 17 on.
 */
public final class PublicApi {
  /** The system property that rewrites the baseline instead of checking it. */
  public static final String UPDATE_PROPERTY = "api.update";

  private final Class<?> anchor;
  private final String module;

  private PublicApi(Class<?> anchor, String module) {
    this.anchor = anchor;
    this.module = module;
  }

  /** The API of module {@code module}, whose main classes hold {@code anchor}. */
  public static PublicApi of(Class<?> anchor, String module) {
    return new PublicApi(anchor, module);
  }

  /**
   * Compares the API with its baseline {@code api/<artifact>.api} in the module's folder (the one
   * whose {@code target/classes} hold the anchor, wherever the test runs); with
   * {@code -Dapi.update=true}, writes the baseline instead.
   *
   * @throws AssertionError listing the lines removed from and added to the baseline
   */
  public void check(String artifact) {
    Path classes = classes();
    if (!classes.endsWith(Path.of("target", "classes"))) {
      throw new AssertionError("the classes of " + module + " are not a module's target/classes: " + classes);
    }
    check(classes.getParent().getParent().resolve("api").resolve(artifact + ".api"));
  }

  /** Compares the API with {@code baseline}; with {@code -Dapi.update=true}, writes it there instead. */
  public void check(Path baseline) {
    List<String> current = lines();
    try {
      if (Boolean.getBoolean(UPDATE_PROPERTY)) {
        Files.createDirectories(baseline.toAbsolutePath().getParent());
        Files.write(baseline, current, StandardCharsets.UTF_8);
        return;
      }
      if (!Files.exists(baseline)) {
        throw new AssertionError("no API baseline " + baseline.toAbsolutePath() + " for module " + module
            + "; write it with -D" + UPDATE_PROPERTY + "=true");
      }
      List<String> recorded = Files.readAllLines(baseline, StandardCharsets.UTF_8);
      if (recorded.equals(current)) {
        return;
      }
      Set<String> removed = new LinkedHashSet<>(recorded);
      current.forEach(removed::remove);
      Set<String> added = new LinkedHashSet<>(current);
      recorded.forEach(added::remove);
      StringBuilder message = new StringBuilder("the public API of module ").append(module)
          .append(" differs from its baseline ").append(baseline).append(':');
      if (!removed.isEmpty()) {
        message.append("\n  removed or changed (breaks users; say so in CHANGELOG.md):");
        removed.forEach(line -> message.append("\n    - ").append(line));
      }
      if (!added.isEmpty()) {
        message.append("\n  added:");
        added.forEach(line -> message.append("\n    + ").append(line));
      }
      message.append("\n  If the change is meant, write the baseline anew with -D").append(UPDATE_PROPERTY)
          .append("=true and commit it.");
      throw new AssertionError(message.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The API as the baseline's lines: each type's line, then its members' lines, indented. */
  public List<String> lines() {
    Path classes = classes();
    ModuleDescriptor descriptor = ModuleFinder.of(classes).find(module)
        .orElseThrow(() -> new AssertionError("no module " + module + " in " + classes)).descriptor();
    Set<String> exported = descriptor.exports().stream().filter(e -> !e.isQualified()).map(Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
    List<String> lines = new ArrayList<>();
    for (String pkg : exported) {
      for (Class<?> type : types(classes, pkg)) {
        lines.add(header(type));
        members(type).forEach(member -> lines.add("  " + member));
      }
    }
    return lines;
  }

  private Path classes() {
    try {
      return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError("cannot locate the classes of " + anchor, e);
    }
  }

  /** The types of {@code pkg} a user can name: public, and nested only in such types; by name. */
  private List<Class<?>> types(Path classes, String pkg) {
    Path dir = classes.resolve(pkg.replace('.', '/'));
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".class") || name.equals("package-info.class")) {
          continue;
        }
        Class<?> type = Class.forName(pkg + "." + name.substring(0, name.length() - 6), false, anchor.getClassLoader());
        if (reachable(type)) {
          types.add(type);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new AssertionError("cannot load a class of " + pkg, e);
    }
    types.sort((a, b) -> a.getName().compareTo(b.getName()));
    return types;
  }

  private static boolean reachable(Class<?> type) {
    if (type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
      return false;
    }
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      int modifiers = t.getModifiers();
      boolean nested = t.getDeclaringClass() != null;
      if (!Modifier.isPublic(modifiers) && !(nested && Modifier.isProtected(modifiers) && extensible(t.getDeclaringClass()))) {
        return false;
      }
    }
    return true;
  }

  /** Whether code outside the package can extend {@code type}, and so see its protected members. */
  private static boolean extensible(Class<?> type) {
    if (Modifier.isFinal(type.getModifiers()) || type.isSealed() || type.isEnum() || type.isRecord() || type.isInterface()) {
      return false;
    }
    return Arrays.stream(type.getDeclaredConstructors()).anyMatch(c -> isVisible(c.getModifiers()));
  }

  private static boolean isVisible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static String header(Class<?> type) {
    StringBuilder line = new StringBuilder();
    String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
        : type.isRecord() ? "record" : "class";
    int modifiers = type.getModifiers() & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL | Modifier.ABSTRACT);
    if (type.isInterface() || type.isEnum() || type.isRecord()) {
      modifiers &= ~(Modifier.ABSTRACT | Modifier.FINAL | Modifier.STATIC); // implied by the kind
    }
    append(line, Modifier.toString(modifiers));
    if (type.isSealed()) {
      append(line, "sealed");
    } else if (!type.isInterface() && !type.isEnum() && !type.isRecord() && !Modifier.isFinal(type.getModifiers())
        && type.getSuperclass() != null && type.getSuperclass().isSealed()) {
      append(line, "non-sealed");
    }
    append(line, kind + " " + type.getName() + typeParameters(type.getTypeParameters()));
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      line.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = type.getGenericInterfaces();
    if (interfaces.length > 0 && !type.isAnnotation()) {
      line.append(type.isInterface() ? " extends " : " implements ")
          .append(Arrays.stream(interfaces).map(Type::getTypeName).sorted().collect(Collectors.joining(", ")));
    }
    if (type.isSealed()) {
      line.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses()).map(Class::getName).sorted()
          .collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  private static List<String> members(Class<?> type) {
    boolean protectedToo = extensible(type);
    Set<String> members = new TreeSet<>();
    for (Field field : type.getDeclaredFields()) {
      if (!field.isSynthetic() && visible(field.getModifiers(), protectedToo)) {
        if (field.isEnumConstant()) {
          members.add("constant " + field.getName());
        } else {
          members.add(modifiers(field.getModifiers(), type) + "field " + field.getGenericType().getTypeName() + " "
              + field.getName());
        }
      }
    }
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      if (!constructor.isSynthetic() && visible(constructor.getModifiers(), protectedToo) && !type.isEnum()) {
        members.add(modifiers(constructor.getModifiers(), type) + "constructor " + spaced(typeParameters(constructor.getTypeParameters()))
            + parameters(constructor) + exceptions(constructor));
      }
    }
    for (Method method : type.getDeclaredMethods()) {
      if (!method.isSynthetic() && !method.isBridge() && visible(method.getModifiers(), protectedToo)) {
        String prefix = modifiers(method.getModifiers(), type) + (method.isDefault() ? "default " : "");
        members.add(prefix + "method " + spaced(typeParameters(method.getTypeParameters()))
            + method.getGenericReturnType().getTypeName() + " " + method.getName() + parameters(method) + exceptions(method));
      }
    }
    return new ArrayList<>(members);
  }

  private static boolean visible(int modifiers, boolean protectedToo) {
    return Modifier.isPublic(modifiers) || (protectedToo && Modifier.isProtected(modifiers));
  }

  private static String modifiers(int modifiers, Class<?> owner) {
    int shown = modifiers & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL | Modifier.ABSTRACT);
    if (owner.isInterface()) {
      shown &= ~(Modifier.PUBLIC | Modifier.ABSTRACT); // implied in an interface
    }
    String text = Modifier.toString(shown);
    return text.isEmpty() ? "" : text + " ";
  }

  private static String parameters(Executable executable) {
    Type[] types = executable.getGenericParameterTypes();
    if (types.length != executable.getParameterCount()) {
      types = executable.getParameterTypes(); // inner classes and enums: the generic view leaves out implicit parameters
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      String name = types[i].getTypeName();
      if (executable.isVarArgs() && i == types.length - 1 && name.endsWith("[]")) {
        name = name.substring(0, name.length() - 2) + "...";
      }
      names.add(name);
    }
    return "(" + String.join(", ", names) + ")";
  }

  private static String exceptions(Executable executable) {
    Type[] thrown = executable.getGenericExceptionTypes();
    return thrown.length == 0 ? ""
        : " throws " + Arrays.stream(thrown).map(Type::getTypeName).sorted().collect(Collectors.joining(", "));
  }

  private static String typeParameters(TypeVariable<?>[] variables) {
    if (variables.length == 0) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (TypeVariable<?> variable : variables) {
      Type[] bounds = variable.getBounds();
      boolean plain = bounds.length == 1 && bounds[0] == Object.class;
      parts.add(plain ? variable.getName() : variable.getName() + " extends "
          + Arrays.stream(bounds).map(Type::getTypeName).collect(Collectors.joining(" & ")));
    }
    return "<" + String.join(", ", parts) + ">";
  }

  private static String spaced(String typeParameters) {
    return typeParameters.isEmpty() ? "" : typeParameters + " ";
  }

  private static void append(StringBuilder line, String word) {
    if (word.isEmpty()) {
      return;
    }
    if (line.length() > 0) {
      line.append(' ');
    }
    line.append(word);
  }
}
