import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { Empty } from '../components/states.js';

export function NotFoundScreen() {
  return (
    <Empty
      title="This page does not exist"
      hint="The address may be old or mistyped."
      action={
        <Anchor component={Link} to="/">
          Go to the overview
        </Anchor>
      }
    />
  );
}
