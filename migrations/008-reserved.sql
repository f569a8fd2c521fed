-- Reserved: number 008 belongs to the company registration's migration, which is merged separately. This file only
-- keeps the numbering without a gap until then; delete it when that migration arrives (it changes nothing).
SELECT 1;
