/**
 * A real ext4 filesystem on a loop device over a sparse image file (needs root), with a simulated
 * power cut: the image file is made immutable (chattr +i), so from that instant every write the
 * loop device passes down fails, whether writeback of dirty page cache or a flush; fsync and
 * fdatasync on the mounted filesystem then report EIO. A copy of the image is exactly what a machine
 * would find on its disk after losing power, and mounting it replays the ext4 journal.
 * (`blockdev --setro` is not enough: the kernel only warns about writes to a read-only device.)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch (error) {
    const err = error as { stderr?: Buffer; message?: string };
    const needs = 'the power-loss test needs root, losetup, mkfs.ext4, mount and chattr on an ext4 temp dir';
    throw new Error(`${command} ${args.join(' ')} failed (${needs}): ${err.stderr?.toString().trim() || err.message}`);
  }
}

export class LoopFilesystem {
  private powerCut = false;

  private constructor(
    readonly image: string,
    readonly device: string,
    readonly mountPoint: string,
  ) {}

  /** Creates a sparse image of `sizeBytes`, formats it ext4 and mounts it on `mountPoint`. */
  static create(image: string, sizeBytes: number, mountPoint: string): LoopFilesystem {
    fs.writeFileSync(image, Buffer.alloc(0));
    fs.truncateSync(image, sizeBytes);
    const device = run('losetup', ['--find', '--show', image]);
    try {
      run('mkfs.ext4', ['-q', '-F', device]);
    } catch (error) {
      run('losetup', ['-d', device]);
      throw error;
    }
    return LoopFilesystem.attachAndMount(image, device, mountPoint);
  }

  /** Mounts an existing image (replaying its journal, as after a reboot). */
  static mount(image: string, mountPoint: string): LoopFilesystem {
    return LoopFilesystem.attachAndMount(image, run('losetup', ['--find', '--show', image]), mountPoint);
  }

  private static attachAndMount(image: string, device: string, mountPoint: string): LoopFilesystem {
    fs.mkdirSync(mountPoint, { recursive: true });
    try {
      run('mount', ['-t', 'ext4', device, mountPoint]);
    } catch (error) {
      run('losetup', ['-d', device]);
      throw error;
    }
    return new LoopFilesystem(image, device, mountPoint);
  }

  /**
   * Cuts the power: from now on nothing more reaches the image. Returns a copy of the image as it
   * is at this instant (what survives), leaving this filesystem to be discarded with `destroy`.
   */
  cutPower(survivorImage: string): void {
    run('chattr', ['+i', this.image]);
    this.powerCut = true;
    fs.copyFileSync(this.image, survivorImage);
  }

  /** Unmounts (lazily, since writes now fail), detaches the device and makes the image deletable. */
  destroy(): void {
    const problems: string[] = [];
    const attempt = (command: string, args: string[]): void => {
      try {
        run(command, args);
      } catch (error) {
        problems.push((error as Error).message);
      }
    };
    attempt('umount', ['-l', this.mountPoint]);
    attempt('losetup', ['-d', this.device]);
    if (this.powerCut) attempt('chattr', ['-i', this.image]);
    if (problems.length > 0) throw new Error(`cleaning up ${this.device}: ${problems.join('; ')}`);
  }

  /** A clean unmount and detach (the filesystem was not power-cut). */
  unmount(): void {
    run('umount', [this.mountPoint]);
    run('losetup', ['-d', this.device]);
  }
}
