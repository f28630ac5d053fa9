package dev.mcpgateway.payload;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the payload root is private to the gateway's user before anything is stored in it:
 * a directory that does not exist is created {@code 0700}; one that exists must be a real
 * directory (not a symbolic link), owned by the user the gateway runs as and not writable by
 * group or others. Anything else is refused with {@link UnsafePayloadDirectoryException}.
 *
 * <p>Inside a private root nobody but the gateway's user can create a link, so the store's own
 * checks on the directories below (never followed when they are links) are a second line.
 */
final class PayloadRoot {
  private static final Logger LOG = LoggerFactory.getLogger(PayloadRoot.class);
  static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

  private PayloadRoot() {}

  /** Creates {@code root} (0700, with missing parents 0700) or checks the existing one; returns whether it is POSIX. */
  static boolean prepare(Path root) throws IOException {
    boolean created = false;
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      Path parent = root.getParent();
      if (parent != null && !Files.exists(parent)) {
        createPrivateDirectories(parent);
      }
      try {
        createPrivateDirectory(root);
        created = true;
        LOG.info("Created the payload directory {} (owner only)", root);
      } catch (FileAlreadyExistsException e) {
        // created by someone else meanwhile: checked below like any existing directory
      }
    }
    return verify(root, created);
  }

  private static void createPrivateDirectories(Path dir) throws IOException {
    Path parent = dir.getParent();
    if (parent != null && !Files.exists(parent)) {
      createPrivateDirectories(parent);
    }
    try {
      createPrivateDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      // a parent that appeared meanwhile is fine: only the root itself must be private
    }
  }

  /** Creates one directory 0700 on POSIX file systems, whatever the umask. */
  static void createPrivateDirectory(Path dir) throws IOException {
    boolean posix = Files.getFileStore(dir.getParent()).supportsFileAttributeView(PosixFileAttributeView.class);
    FileAttribute<?>[] attributes = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIR_MODE)}
        : new FileAttribute<?>[0];
    Files.createDirectory(dir, attributes);
    if (posix) {
      Files.setPosixFilePermissions(dir, DIR_MODE); // the umask may have narrowed it
    }
  }

  private static boolean verify(Path root, boolean createdNow) throws IOException {
    BasicFileAttributes basic = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (basic.isSymbolicLink()) {
      Path target = Files.readSymbolicLink(root);
      throw new UnsafePayloadDirectoryException(root, "payload directory " + root + " is a symbolic link to " + target
          + "; the gateway does not follow a link for its payload directory, since whoever can change the link "
          + "decides where payloads go. Set payloadDir to the real directory, or to a path that does not exist yet "
          + "(the gateway creates it, mode 0700)");
    }
    if (!basic.isDirectory()) {
      throw new UnsafePayloadDirectoryException(root, "payload directory " + root
          + " exists and is not a directory; remove it or set payloadDir to a directory of the gateway's user");
    }
    FileStore store = Files.getFileStore(root);
    if (store.supportsFileAttributeView(PosixFileAttributeView.class)) {
      PosixFileAttributes attributes = Files.readAttributes(root, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      checkPosix(root, attributes, createdNow || isCurrentUser(root, attributes.owner()));
      return true;
    }
    // No POSIX modes (FAT, NTFS, some network shares): check the owner where the file system has one;
    // who else may write cannot be read in a portable way, so it is left to the operator, with a warning.
    if (!createdNow && store.supportsFileAttributeView(FileOwnerAttributeView.class)) {
      UserPrincipal owner = Files.getOwner(root, LinkOption.NOFOLLOW_LINKS);
      if (!isCurrentUser(root, owner)) {
        throw new UnsafePayloadDirectoryException(root, "payload directory " + root + " is owned by '" + owner.getName()
            + "', not by '" + System.getProperty("user.name") + "', the user the gateway runs as. Give it to that user, "
            + "or set payloadDir to a path that does not exist yet (the gateway creates it)");
      }
    }
    LOG.warn("The payload directory {} is on a file system without POSIX permissions ({}): the gateway cannot check "
        + "that only its own user may write there; restrict its access list to that user", root, store.type());
    return false;
  }

  private static void checkPosix(Path root, PosixFileAttributes attributes, boolean ours) throws IOException {
    Set<PosixFilePermission> mode = attributes.permissions();
    boolean shared = mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE);
    if (ours && !shared) {
      return;
    }
    String user = System.getProperty("user.name");
    StringBuilder problem = new StringBuilder("payload directory ").append(root).append(" is owned by '")
        .append(attributes.owner().getName()).append("' with mode ").append(octal(mode)).append(" (")
        .append(PosixFilePermissions.toString(mode)).append("): ");
    if (!ours) {
      problem.append("not by '").append(user).append("', the user the gateway runs as");
    }
    if (shared) {
      problem.append(ours ? "" : ", and ").append("writable by ")
          .append(mode.contains(PosixFilePermission.GROUP_WRITE) && mode.contains(PosixFilePermission.OTHERS_WRITE)
              ? "group and others" : mode.contains(PosixFilePermission.GROUP_WRITE) ? "its group" : "others");
    }
    problem.append(", so another user could read, replace or redirect the payloads there. Fix: ");
    if (!ours) {
      problem.append("chown ").append(user).append(' ').append(root).append(" && ");
    }
    problem.append("chmod 700 ").append(root)
        .append(", or set payloadDir to a path that does not exist yet (the gateway creates it, mode 0700)");
    throw new UnsafePayloadDirectoryException(root, problem.toString());
  }

  /**
   * Whether {@code owner} is the user this JVM runs as: looked up by {@code user.name}, else (a
   * uid without a name, as in some containers) compared with the owner of {@code /proc/self}.
   */
  private static boolean isCurrentUser(Path root, UserPrincipal owner) throws IOException {
    try {
      UserPrincipal self = root.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName(System.getProperty("user.name"));
      if (self.equals(owner)) {
        return true;
      }
    } catch (IOException | UnsupportedOperationException e) {
      // no such name: compare numbers below
    }
    Path proc = Path.of("/proc/self");
    try {
      if (Files.isDirectory(proc)) {
        Object processUid = Files.getAttribute(proc, "unix:uid");
        Object ownerUid = Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return Objects.equals(processUid, ownerUid);
      }
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // no unix view: the name comparison above is all there is
    }
    return false;
  }

  private static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", bits);
  }
}
