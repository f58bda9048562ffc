/**
 * Binding strength: how many independent hardware components back the fingerprint,
 * said plainly so an operator knows what "bound to this machine" means here.
 */
import { COMPONENT_NAMES, HARDWARE_COMPONENTS, type ComponentName, type Components } from './components.ts';

export const BindingStrength = {
  /** ≥ 3 hardware components: moving the install needs the same hardware. */
  Strong: 'strong',
  /** 1–2 hardware components (typical of a VM: CPU model and memory size). */
  Medium: 'medium',
  /** Only software identifiers (machine-id), which a cloned image copies. */
  Weak: 'weak',
} as const;

export type BindingStrength = (typeof BindingStrength)[keyof typeof BindingStrength];

export interface BindingReport {
  strength: BindingStrength;
  /** Hardware components found. */
  hardware: ComponentName[];
  /** Software identifiers found. */
  software: ComponentName[];
  /** One sentence for the operator. */
  explanation: string;
}

/** Grades a fingerprint's components. */
export function bindingStrength(components: Components): BindingReport {
  const present = COMPONENT_NAMES.filter((name) => components[name] !== undefined);
  const hardware = present.filter((name) => HARDWARE_COMPONENTS.has(name));
  const software = present.filter((name) => !HARDWARE_COMPONENTS.has(name));
  if (hardware.length >= 3) {
    return {
      strength: BindingStrength.Strong,
      hardware,
      software,
      explanation: `${hardware.length} hardware components back the binding.`,
    };
  }
  if (hardware.length > 0) {
    return {
      strength: BindingStrength.Medium,
      hardware,
      software,
      explanation:
        `Only ${hardware.length} hardware component${hardware.length === 1 ? '' : 's'} found ` +
        '(typical of a virtual machine or container): a clone on identical hardware would match.',
    };
  }
  return {
    strength: BindingStrength.Weak,
    hardware,
    software,
    explanation:
      software.length > 0
        ? 'Only software identifiers found: a copied disk image would match.'
        : 'No component found: the binding rests on the install salt alone.',
  };
}
