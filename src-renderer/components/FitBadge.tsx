import { Cpu, Gauge, MonitorCheck, TriangleAlert } from 'lucide-react';
import type { FitEstimate } from '../../src-main/contract/inference';
import { FIT_LABEL, describeFit } from '../../src-main/contract/present/fit';
import { Badge } from './ui/badge';
import { Tooltip } from './ui/tooltip';

const TONE = { gpu: 'success', partial: 'primary', cpu: 'warning', 'too-big': 'danger' } as const;
const ICON = { gpu: MonitorCheck, partial: Gauge, cpu: Cpu, 'too-big': TriangleAlert } as const;

/** The fit verdict as a badge, with the numbers behind it on hover (and for screen readers). */
export function FitBadge({ fit }: { fit: FitEstimate }) {
  const Icon = ICON[fit.verdict];
  const detail = describeFit(fit);
  return (
    <Tooltip content={detail}>
      <span>
        <Badge tone={TONE[fit.verdict]} data-testid="fit-badge" data-verdict={fit.verdict} aria-label={`${FIT_LABEL[fit.verdict]}. ${detail}`}>
          <Icon aria-hidden />
          {FIT_LABEL[fit.verdict]}
        </Badge>
      </span>
    </Tooltip>
  );
}
