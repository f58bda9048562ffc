import { describe, expect, it } from 'vitest';
import { bindingStrength } from '../../../../../electron/core/domains/machine/binding-strength.ts';
import { normaliseHardware } from '../../../../../electron/core/domains/machine/fingerprint.normalise.ts';
import { loadFixture } from './hardware-fixtures.ts';

describe('bindingStrength', () => {
  it.each([
    ['desktop-nvidia', 'strong', 6],
    ['laptop', 'strong', 6],
    ['linux-vm', 'medium', 2],
    ['container', 'medium', 2],
  ] as const)('%s is %s with %i hardware components', (name, strength, hardware) => {
    const report = bindingStrength(normaliseHardware(loadFixture(name)).components);
    expect(report.strength).toBe(strength);
    expect(report.hardware).toHaveLength(hardware);
  });

  it('software identifiers alone are weak, and nothing at all is weak too', () => {
    expect(bindingStrength({ machine_id: 'abc' })).toMatchObject({
      strength: 'weak',
      hardware: [],
      software: ['machine_id'],
    });
    expect(bindingStrength({}).strength).toBe('weak');
  });

  it('three hardware components are the threshold for strong', () => {
    expect(bindingStrength({ cpu: 'a', memory: 'b' }).strength).toBe('medium');
    expect(bindingStrength({ cpu: 'a', memory: 'b', disk: 'c' }).strength).toBe('strong');
  });
});
